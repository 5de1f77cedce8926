import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { documentSourceName } from './source-name.js';

/** File endings the ingest command reads, and the content type each becomes. */
export const SUPPORTED_EXTENSIONS = ['.md', '.markdown', '.txt', '.text', '.html', '.htm', '.pdf'];

/** A file to ingest and the source name it is stored under (see `documentSourceName`). */
export interface DiscoveredFile {
  path: string;
  source: string;
}

export interface Discovered {
  files: DiscoveredFile[];
  /** Arguments that matched nothing, with the reason. */
  missing: { arg: string; reason: string }[];
  /** Files skipped because an earlier file already has their source name. */
  clashes: { path: string; source: string; with: string }[];
}

/**
 * Expands the ingest command's arguments: a file stands for itself, a folder for every
 * supported file below it, a glob for its matches (named relative to the glob's folder part,
 * `docs/**` → relative to `docs`). Hidden folders and node_modules are skipped.
 */
export async function discoverFiles(
  args: readonly string[],
  cwd = process.cwd(),
): Promise<Discovered> {
  const found = new Map<string, string>();
  const bySource = new Map<string, string>();
  const missing: Discovered['missing'] = [];
  const clashes: Discovered['clashes'] = [];
  const pattern = `**/*.{${SUPPORTED_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;
  for (const arg of args) {
    let matches: string[];
    let root: string | undefined;
    if (isDynamicPattern(arg)) {
      matches = await glob(arg, { cwd, absolute: true, ignore: ['**/node_modules/**'] });
      root = resolve(cwd, globBase(arg));
    } else {
      const path = resolve(cwd, arg);
      const info = await stat(path).catch(() => undefined);
      if (!info) {
        missing.push({ arg, reason: 'no such file or folder' });
        continue;
      }
      root = info.isDirectory() ? path : undefined;
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
    for (const m of matches.sort()) {
      if (found.has(m)) continue;
      const source = documentSourceName(root, m);
      const earlier = bySource.get(source);
      if (earlier !== undefined) {
        clashes.push({ path: m, source, with: earlier });
        continue;
      }
      found.set(m, source);
      bySource.set(source, m);
    }
  }
  const files = [...found].map(([path, source]) => ({ path, source }));
  return {
    files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    missing,
    clashes,
  };
}

/** The folder part of a glob: its segments before the first one with a pattern in it. */
function globBase(arg: string): string {
  const segments = arg.split(/[/\\]/);
  const fixed: string[] = [];
  for (const segment of segments) {
    if (isDynamicPattern(segment)) break;
    fixed.push(segment);
  }
  if (fixed.length === segments.length) fixed.pop();
  return fixed.join('/') || '.';
}
