import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without types
import { staleReason } from '../../../scripts/build-if-stale.mjs';

const stale = staleReason as (dir: string) => string | undefined;

/** A fake repository: packages/pkg with src, dist and the shared openapi folder. */
describe('scripts/build-if-stale.mjs: staleReason', () => {
  let repo: string;
  let pkg: string;
  const at = (path: string, seconds: number): void => {
    utimesSync(path, seconds, seconds);
  };
  const file = (path: string, seconds: number): void => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'x');
    at(path, seconds);
  };

  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'mcp-stale-'));
    pkg = join(repo, 'packages', 'pkg');
    file(join(pkg, 'src', 'a', 'b.ts'), 1_000);
    file(join(pkg, 'package.json'), 1_000);
    file(join(repo, 'openapi', 'mcp-tools.yaml'), 1_000);
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('builds when dist/cli.js is missing', () => {
    expect(stale(pkg)).toBe('dist/cli.js is missing');
  });

  it('does not build when dist is newer than every input', () => {
    file(join(pkg, 'dist', 'cli.js'), 2_000);
    expect(stale(pkg)).toBeUndefined();
  });

  it('builds when a nested source, the contract or package.json is newer', () => {
    file(join(pkg, 'dist', 'cli.js'), 2_000);
    at(join(pkg, 'src', 'a', 'b.ts'), 3_000);
    expect(stale(pkg)).toBe('src changed since the last build');
    at(join(pkg, 'src', 'a', 'b.ts'), 1_000);
    at(join(repo, 'openapi', 'mcp-tools.yaml'), 3_000);
    expect(stale(pkg)).toMatch(/openapi changed since the last build$/);
    at(join(repo, 'openapi', 'mcp-tools.yaml'), 1_000);
    at(join(pkg, 'package.json'), 3_000);
    expect(stale(pkg)).toBe('package.json changed since the last build');
  });
});
