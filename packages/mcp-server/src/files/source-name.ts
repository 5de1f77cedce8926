import { basename, isAbsolute, relative, sep } from 'node:path';

/**
 * The one rule for the source name a document file is stored under, shared by the ingest
 * command and the chat gateway's sample documents so the same file is always the same document:
 * its path relative to the folder that was given, with `/` separators
 * (`docs/ops/runbook.md` found under `docs` is `ops/runbook.md`); a file given on its own is
 * its base name (`runbook.md`). Where the ingest ran from does not matter.
 *
 * @param root the folder the file was found under, or undefined for a file given on its own
 * @param file the file's path (absolute, or relative to the same directory as `root`)
 */
export function documentSourceName(root: string | undefined, file: string): string {
  if (root === undefined) return basename(file);
  const rel = relative(root, file);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return basename(file);
  return rel.split(sep).join('/');
}
