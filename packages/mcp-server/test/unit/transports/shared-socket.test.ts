import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
});
