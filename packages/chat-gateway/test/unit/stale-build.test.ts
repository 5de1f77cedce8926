import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { buildNotice as untypedBuildNotice } from '../../scripts/stale-build.mjs';

const buildNotice = untypedBuildNotice as (root: string) => string | undefined;
const PACKAGES = ['packages/mcp-server', 'packages/chat-gateway'];

/** A repository with both packages' sources; built ones get a dist/ newer than their sources. */
function repo(root: string, built: string[]): void {
  const past = new Date(Date.now() - 60_000);
  for (const dir of PACKAGES) {
    mkdirSync(join(root, dir, 'src'), { recursive: true });
    writeFileSync(join(root, dir, 'src', 'index.ts'), '');
    writeFileSync(join(root, dir, 'package.json'), '{}');
    utimesSync(join(root, dir, 'src', 'index.ts'), past, past);
    utimesSync(join(root, dir, 'package.json'), past, past);
    if (built.includes(dir)) {
      mkdirSync(join(root, dir, 'dist'));
      const buildTime = new Date(past.getTime() + 30_000);
      utimesSync(join(root, dir, 'dist'), buildTime, buildTime);
    }
  }
}

describe('what pnpm start says before building', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'gw-stale-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('a never-built clone: building (first run)', () => {
    repo(root, []);
    expect(buildNotice(root)).toBe('chatbot: building (first run)…');
  });

  it('a built clone whose sources changed: sources changed since the last build', () => {
    repo(root, PACKAGES);
    writeFileSync(join(root, 'packages/chat-gateway/src/index.ts'), '// edited');
    expect(buildNotice(root)).toBe('chatbot: building (sources changed since the last build)…');
  });

  it('a current build: nothing to say', () => {
    repo(root, PACKAGES);
    expect(buildNotice(root)).toBeUndefined();
  });
});
