import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_DIR } from '../../support/cli-process.js';

const DIST = join(PACKAGE_DIR, 'dist');

/** The specifiers a built ES module imports statically (not `import()`). */
function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/gm)]
    .concat([...source.matchAll(/^import\s*['"]([^'"]+)['"]/gm)])
    .map((m) => m[1]!);
}

/** Every file on dist/cli.js's static import graph, and the packages it imports. */
function startupGraph(): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const queue = [join(DIST, 'cli.js')];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) queue.push(join(file, '..', specifier));
      else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  }
  return { files, packages };
}

// Run after `pnpm build` (the package's `test` script builds first).
describe('the built CLI (scripts/bundle-cli.mjs)', () => {
  it('loads our code from its bundle: cli.js and its chunks, not the modules tsc wrote', () => {
    expect(existsSync(join(DIST, 'cli.js'))).toBe(true);
    const { files } = startupGraph();
    const ours = files.map((f) => f.slice(DIST.length + 1));
    expect(ours.filter((f) => f !== 'cli.js' && !f.startsWith('cli-chunk-'))).toEqual([]);
    // A handful of files instead of ~50 modules resolved and read one by one.
    expect(ours.length).toBeLessThan(20);
  });

  it('bundles the packages every start loads (MCP SDK, zod, ajv): nothing is read from node_modules before it serves', () => {
    // About 250 files of theirs were resolved, read and compiled one by one: most of a start.
    const { packages } = startupGraph();
    expect([...packages]).toEqual([]);
  });

  it('ships the licence of each bundled package beside the bundle', () => {
    const notices = readFileSync(join(DIST, 'cli-third-party-licenses.txt'), 'utf8');
    for (const name of ['@modelcontextprotocol/sdk', 'zod', 'ajv', 'ajv-formats']) {
      expect(notices).toMatch(new RegExp(`^${name}@\\d+\\.\\d+\\.\\d+ \\(MIT\\)$`, 'm'));
    }
    expect(notices).toContain('Permission is hereby granted, free of charge');
  });

  it('imports no store, embedder, AWS SDK or file-format library before it serves', () => {
    const { packages } = startupGraph();
    const heavy = [...packages].filter((p) =>
      /^(@lancedb|apache-arrow|@aws-sdk|@opensearch-project|pdfjs-dist|node-html-parser|dynalite|@apidevtools|tinyglobby|jose)/.test(
        p,
      ),
    );
    expect(heavy).toEqual([]);
  });
});
