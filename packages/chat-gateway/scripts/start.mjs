// The one-command local stack: builds when sources are newer than the build, then starts the
// gateway (MCP server in-process, embedded stores), ingesting examples/docs on the first run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stalePackage } from './stale-build.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));

if (stalePackage(root)) {
  process.stderr.write('chatbot: building (sources changed since the last build)…\n');
  const built = spawnSync(
    'pnpm',
    ['--silent', '-r', '--filter', 'chatbot-mcp-server', '--filter', 'chatbot-gateway', 'build'],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (built.status !== 0) process.exit(built.status ?? 1);
}

// The CLI runs in this process (one Node start-up instead of two), with the arguments it would
// have been given; it handles its own signals and exit code.
const cli = join(root, 'packages/chat-gateway/dist/cli.js');
process.argv = [
  process.argv[0],
  cli,
  '--seed-docs',
  join(root, 'examples/docs'),
  ...process.argv.slice(2).filter((a) => a !== '--'),
];
await import(pathToFileURL(cli).href);
