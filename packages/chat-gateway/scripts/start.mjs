// The one-command local stack: builds when sources are newer than the build, then starts the
// gateway (MCP server in-process, embedded stores), ingesting examples/docs on the first run.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const packages = ['packages/mcp-server', 'packages/chat-gateway'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

function stale(dir) {
  const built = join(root, dir, 'dist');
  if (!existsSync(built)) return true;
  const sources = Math.max(
    newest(join(root, dir, 'src')),
    newest(join(root, dir, 'web')),
    newest(join(root, 'openapi')),
    newest(join(root, dir, 'package.json')),
  );
  return sources > statSync(built).mtimeMs;
}

if (packages.some(stale)) {
  process.stderr.write('chatbot: building (sources changed since the last build)…\n');
  const built = spawnSync(
    'pnpm',
    ['--silent', '-r', '--filter', 'chatbot-mcp-server', '--filter', 'chatbot-gateway', 'build'],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const args = [
  join(root, 'packages/chat-gateway/dist/cli.js'),
  '--seed-docs',
  join(root, 'examples/docs'),
  ...process.argv.slice(2).filter((a) => a !== '--'),
];
const child = spawn(process.execPath, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
