// Whether `pnpm start` must build first: a package whose sources, web page, tool contract or
// package.json are newer than its dist/ (shared by the start script and its test).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGES = ['packages/mcp-server', 'packages/chat-gateway'];

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

function stale(root, dir) {
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

/** The first package under `root` that needs a build, or undefined when both are current. */
export function stalePackage(root) {
  return PACKAGES.find((dir) => stale(root, dir));
}

/**
 * What `pnpm start` says before building, or undefined when both packages are current: a fresh
 * clone (no dist/ yet) builds for its first run; otherwise sources changed since the last build.
 */
export function buildNotice(root) {
  const dir = stalePackage(root);
  if (dir === undefined) return undefined;
  const firstRun = PACKAGES.some((d) => !existsSync(join(root, d, 'dist')));
  return firstRun
    ? 'chatbot: building (first run)…'
    : 'chatbot: building (sources changed since the last build)…';
}
