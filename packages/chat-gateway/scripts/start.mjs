// The one-command local stack: builds when sources are newer than the build, then starts the
// gateway (MCP server in-process, embedded stores), ingesting examples/docs on the first run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildNotice } from './stale-build.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// pnpm 10 prints "ELIFECYCLE Command failed." whenever Ctrl-C reaches it, even when the script
// then exits 0 (checked: a script that exits 0 on SIGINT gets the same line and pnpm exits 130).
// It cannot be avoided from here, so the last line before it says that nothing failed.
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
  // Until the gateway listens for it (building, starting up), Ctrl-C stops at once, as by default.
  if (process.listenerCount('SIGINT') === 1) process.exit(130);
});
process.on('exit', (code) => {
  if (interrupted && code === 0) {
    process.stderr.write(
      'chatbot: the gateway stopped cleanly (a following "ELIFECYCLE Command failed" is pnpm reporting the Ctrl-C, not an error)\n',
    );
  }
});

const notice = buildNotice(root);
if (notice) {
  process.stderr.write(`${notice}\n`);
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
