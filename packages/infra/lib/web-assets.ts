import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './function-entries.js';

/** The chat page as `packages/chat-gateway/scripts/build-web.mjs` builds it. */
export const WEB_DIR = join(REPO_ROOT, 'packages', 'chat-gateway', 'dist', 'web');

/** Files the page cannot work without; the upload would otherwise succeed and serve nothing. */
export const WEB_FILES = ['index.html', 'app.js', 'app.css'] as const;

/**
 * The folder the web stack uploads: `dir` (tests: the `webDir` context value) or the built
 * page. Fails by name when a file is missing, as the Lambda entries do: a deploy must not
 * upload an empty or half-built page.
 */
export function resolveWebDir(dir: string = WEB_DIR): string {
  const missing = WEB_FILES.filter((file) => !existsSync(join(dir, file)));
  if (missing.length > 0) {
    throw new Error(
      `The chat page is not built: ${missing.join(', ')} missing in ${relative(REPO_ROOT, dir) || dir}. ` +
        'Run `pnpm build` at the repository root (or `pnpm --filter chatbot-gateway build`) before synthesizing or deploying.',
    );
  }
  return dir;
}
