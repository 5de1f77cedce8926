import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childEnv,
  connectStdio,
  makeTempDir,
  PACKAGE_DIR,
  removeDir,
  type StdioServer,
} from '../support/cli-process.js';

/**
 * The README's "Use it from Claude Desktop" commands, run as written from the root of a copy of
 * this working tree (tracked and new files, no node_modules, no dist: what a fresh clone has),
 * with `npm install -g` sent to a temporary prefix. The installed `chatbot-mcp-server` must then
 * answer an MCP client over stdio, as Claude Desktop starts it.
 */

const run = promisify(execFile);
const REPO_ROOT = join(PACKAGE_DIR, '..', '..');

/** The commands of the first `sh` block under `heading` in a Markdown file, comments dropped. */
export function shellCommands(markdown: string, heading: RegExp): string[] {
  const start = markdown.search(heading);
  expect(start, `no heading ${String(heading)}`).toBeGreaterThanOrEqual(0);
  const block = /```sh\n([\s\S]*?)```/.exec(markdown.slice(start));
  expect(block, `no sh block under ${String(heading)}`).not.toBeNull();
  return block![1]!
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

/** npm and pnpm must not inherit the npm_* variables of a `pnpm test` around this test. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
    ...extra,
  };
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`"${command}" exited with ${code}:\n${output.slice(-4000)}`)),
    );
  });
}

let readmeCommands: string[];

beforeAll(async () => {
  readmeCommands = shellCommands(
    await readFile(join(REPO_ROOT, 'README.md'), 'utf8'),
    /^## Use it from Claude Desktop/m,
  );
});

describe('the Claude Desktop install commands', () => {
  it('are the same in the README, the package README and examples/claude-desktop', async () => {
    expect(readmeCommands).toHaveLength(2);
    const packageReadme = await readFile(join(PACKAGE_DIR, 'README.md'), 'utf8');
    expect(shellCommands(packageReadme, /^## Claude Desktop/m)).toEqual(readmeCommands);
    const examples = await readFile(
      join(REPO_ROOT, 'examples', 'claude-desktop', 'README.md'),
      'utf8',
    );
    const flat = examples.replace(/\s+/g, ' ');
    expect(flat).toContain(readmeCommands[0]!.replace(/^pnpm install && /, ''));
    expect(flat).toContain(readmeCommands[1]);
  });

  describe('run verbatim from the root of a fresh copy', () => {
    let clone: string;
    let prefix: string;
    let dataDir: string;
    let server: StdioServer | undefined;

    beforeAll(async () => {
      clone = await makeTempDir('readme-clone');
      prefix = await makeTempDir('readme-npm-prefix');
      dataDir = await makeTempDir('readme-data');
      const { stdout } = await run('git', ['ls-files', '-z', '-co', '--exclude-standard'], {
        cwd: REPO_ROOT,
        maxBuffer: 16 * 1024 * 1024,
      });
      for (const file of stdout.split('\0').filter(Boolean)) {
        await mkdir(join(clone, file, '..'), { recursive: true });
        await cp(join(REPO_ROOT, file), join(clone, file)).catch((error: unknown) => {
          // A file deleted in the working tree but not yet in git's index.
          if ((error as { code?: string }).code !== 'ENOENT') throw error;
        });
      }
    }, 120_000);

    afterAll(async () => {
      await server?.close();
      for (const dir of [clone, prefix, dataDir]) await removeDir(dir);
    });

    it('install an executable chatbot-mcp-server that answers initialize and tools/list over stdio', async () => {
      const env = cleanEnv({ npm_config_prefix: prefix, npm_config_update_notifier: 'false' });
      for (const command of readmeCommands) await sh(command, clone, env);

      const bin = join(prefix, 'bin', 'chatbot-mcp-server');
      await expect(access(bin, constants.X_OK)).resolves.toBeUndefined();
      server = await connectStdio({
        command: bin,
        args: ['--data-dir', dataDir],
        env: childEnv({ PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` }),
      });
      expect(server.client.getServerVersion()).toMatchObject({ name: 'chatbot-mcp-server' });
      const { tools } = await server.client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['search_documents', 'create_record', 'read_record']),
      );
      expect(server.transportErrors).toEqual([]);
    }, 900_000);
  });
});
