import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

/** File endings the ingest command reads, and the content type each becomes. */
export const SUPPORTED_EXTENSIONS = ['.md', '.markdown', '.txt', '.text', '.html', '.htm', '.pdf'];

export interface Discovered {
  files: string[];
  /** Arguments that matched nothing, with the reason. */
  missing: { arg: string; reason: string }[];
}

/**
 * Expands the ingest command's arguments: a file stands for itself, a folder for every
 * supported file below it, a glob for its matches. Hidden folders and node_modules are skipped.
 */
export async function discoverFiles(
  args: readonly string[],
  cwd = process.cwd(),
): Promise<Discovered> {
  const found = new Set<string>();
  const missing: Discovered['missing'] = [];
  const pattern = `**/*.{${SUPPORTED_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;
  for (const arg of args) {
    let matches: string[];
    if (isDynamicPattern(arg)) {
      matches = await glob(arg, { cwd, absolute: true, ignore: ['**/node_modules/**'] });
    } else {
      const path = resolve(cwd, arg);
      const info = await stat(path).catch(() => undefined);
      if (!info) {
        missing.push({ arg, reason: 'no such file or folder' });
        continue;
      }
      matches = info.isDirectory()
        ? await glob(pattern, {
            cwd: path,
            absolute: true,
            caseSensitiveMatch: false,
            ignore: ['**/node_modules/**', '**/.*/**'],
          })
        : [path];
    }
    if (matches.length === 0) missing.push({ arg, reason: 'matched no supported files' });
    for (const m of matches) found.add(m);
  }
  return { files: [...found].sort(), missing };
}
