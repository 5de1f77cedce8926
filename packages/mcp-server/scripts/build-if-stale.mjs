// `pnpm start` without the 10-second rebuild: builds only when a source, the tool contract or a
// build setting is newer than dist/cli.js. Everything it prints goes to stderr, as stdout
// belongs to the MCP stream of the server started after it.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Newest modification time (ms) of the files under `path` (a file or a folder). */
function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** Why dist needs a build, or undefined when it is current. */
export function staleReason(packageDir = PACKAGE_DIR) {
  const built = newest(join(packageDir, 'dist', 'cli.js'));
  if (built === 0) return 'dist/cli.js is missing';
  const inputs = [
    'src',
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    join('..', '..', 'openapi'),
    join('..', '..', 'tsconfig.base.json'),
  ];
  for (const input of inputs) {
    if (newest(join(packageDir, input)) > built) return `${input} changed since the last build`;
  }
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reason = staleReason();
  if (reason) {
    process.stderr.write(`chatbot-mcp-server: building (${reason})\n`);
    const result = spawnSync('pnpm', ['--silent', 'run', 'build'], {
      cwd: PACKAGE_DIR,
      stdio: ['ignore', 2, 2], // the build's output to stderr too
    });
    process.exit(result.status ?? 1);
  }
}
