import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_DIR } from './cli-process.js';

export const run = promisify(execFile);

/**
 * npm must not inherit pnpm's npm_* variables when the tests run under `pnpm test`, nor a
 * nested test runner vitest's own VITEST_* ones.
 */
export function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|VITEST)/i.test(key)),
  );
}

/** `pnpm pack` of the built package into `dir`; returns the tarball's path. */
export async function packPackage(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  // --ignore-scripts: dist/ is built already; a prepack rebuild would pull it away from tests running in parallel.
  await run('pnpm', ['pack', '--config.ignore-scripts=true', '--pack-destination', dir], {
    cwd: PACKAGE_DIR,
    env: npmEnv(),
  });
  const tarballs = (await readdir(dir)).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1)
    throw new Error(`expected one tarball in ${dir}, found ${tarballs.join(', ')}`);
  return join(dir, tarballs[0]!);
}
