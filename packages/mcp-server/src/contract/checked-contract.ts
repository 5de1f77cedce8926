import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { loadToolContract } from './load-contract.js';
import type { ToolContract } from './tool-contract.js';

/** Bump when the loader's checks or output change, so old results are not trusted. */
const LOADER_VERSION = 1;

interface CheckedContract {
  loaderVersion: number;
  sourceSha256: string;
  tools: ToolContract[];
}

const checkedPath = (path: string): string => `${path.replace(/\.ya?ml$/i, '')}.checked.json`;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * The tool contract at `path`, fully validated. Validating the OpenAPI document costs about a
 * third of a second, so the build does it once and stores the result next to the file, keyed by
 * the file's SHA-256: if the YAML is edited after the build, it is validated again at start-up.
 */
export async function loadCheckedContract(path: string): Promise<ToolContract[]> {
  const source = await readFile(path);
  try {
    const checked = JSON.parse(await readFile(checkedPath(path), 'utf8')) as CheckedContract;
    if (checked.loaderVersion === LOADER_VERSION && checked.sourceSha256 === sha256(source)) {
      return checked.tools;
    }
  } catch {
    // no stored result: validate now
  }
  return loadToolContract(path);
}

/** Validates the contract and stores the result beside it (run by the build). */
export async function writeCheckedContract(path: string): Promise<number> {
  const tools = await loadToolContract(path);
  const checked: CheckedContract = {
    loaderVersion: LOADER_VERSION,
    sourceSha256: sha256(await readFile(path)),
    tools,
  };
  await writeFile(checkedPath(path), JSON.stringify(checked));
  return tools.length;
}
