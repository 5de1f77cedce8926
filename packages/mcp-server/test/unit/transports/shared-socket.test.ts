import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import type { ToolRegistry } from '../../../src/tool-registry.js';
import {
  shareOverSocket,
  sharedSocketPath,
  socketPathFits,
} from '../../../src/transports/shared-socket.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('shareOverSocket', () => {
  it('does not share a folder whose socket path is too long for a Unix socket, and says so', async () => {
    root = mkdtempSync(join(tmpdir(), 'share-'));
    const dataDir = join(root, 'd'.repeat(100));
    mkdirSync(dataDir);
    expect(socketPathFits(sharedSocketPath(dataDir))).toBe(false);
    const lines: string[] = [];
    const shared = await shareOverSocket(
      {} as ToolRegistry, // never reached: nothing listens
      dataDir,
      createLogger('info', (line) => lines.push(line)),
    );
    expect(shared).toBeUndefined();
    // Node would cut the path and create the socket elsewhere: nothing may appear.
    expect(readdirSync(dataDir)).toEqual([]);
    expect(readdirSync(root)).toEqual(['d'.repeat(100)]);
    expect(lines.join('')).toMatch(/cannot share .* will be refused instead of attaching/);
    expect(existsSync(sharedSocketPath(dataDir))).toBe(false);
  });

  it('replaces a stale socket without breaking later module loads through symlinks (nodejs/node#51142)', async () => {
    root = mkdtempSync(join(tmpdir(), 'share-'));
    // A pnpm-like tree: app/node_modules/a links to the store, where a's dependency lives beside
    // it. `a` finds `b` only when the loader follows the link to a's real folder.
    const store = join(root, 'store', 'node_modules');
    mkdirSync(join(store, 'a'), { recursive: true });
    mkdirSync(join(store, 'b'));
    writeFileSync(join(store, 'a', 'index.js'), "module.exports = require('b');");
    writeFileSync(join(store, 'b', 'index.js'), "module.exports = 'b loaded';");
    mkdirSync(join(root, 'app', 'node_modules'), { recursive: true });
    symlinkSync(join(store, 'a'), join(root, 'app', 'node_modules', 'a'), 'dir');
    writeFileSync(join(root, 'app', 'warm.js'), 'module.exports = 1;');
    const load = createRequire(join(root, 'app', 'main.js'));
    load('./warm.js'); // the loader's realpath cache now holds the app's folders

    // A socket left by a holder that is gone (this one still listens: its file is there).
    const dataDir = join(root, 'data');
    mkdirSync(join(dataDir, 'mcp-socket'), { recursive: true, mode: 0o700 });
    const stale = createServer();
    await new Promise<void>((resolve) => stale.listen(sharedSocketPath(dataDir), resolve));
    const shared = await shareOverSocket({} as ToolRegistry, dataDir, createLogger('error'));
    try {
      expect(shared).toBeDefined();
      expect(load('a')).toBe('b loaded');
    } finally {
      await shared?.close();
      await new Promise<void>((resolve) => stale.close(() => resolve()));
    }
  });
});
