import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { loadToolContract } from './load-contract.js';
import type { ToolContract } from './tool-contract.js';

/** Bump when the loader's checks or output change, so old results are not trusted. */
const LOADER_VERSION = 2;

interface CheckedContract {
  loaderVersion: number;
  sourceSha256: string;
  tools: ToolContract[];
}

const checkedPath = (path: string): string => `${path.replace(/\.ya?ml$/i, '')}.checked.json`;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export interface LoadedContract {
  tools: ToolContract[];
  /** True when the build compiled its schemas with every check (see `ToolValidatorsOptions`). */
  schemasChecked: boolean;
}

/**
 * The tool contract at `path`, fully validated. Validating the OpenAPI document and its schemas
 * costs about half a second, so the build does it once and stores the result next to the file,
 * keyed by the file's SHA-256: if the YAML is edited after the build, it is validated again at
 * start-up.
 */
export async function loadCheckedContract(path: string): Promise<LoadedContract> {
  const source = await readFile(path);
  try {
    const checked = JSON.parse(await readFile(checkedPath(path), 'utf8')) as CheckedContract;
    if (checked.loaderVersion === LOADER_VERSION && checked.sourceSha256 === sha256(source)) {
      return { tools: checked.tools, schemasChecked: true };
    }
  } catch {
    // no stored result: validate now
  }
  return { tools: await loadToolContract(path), schemasChecked: false };
}

/** Validates the contract and its schemas and stores the result beside it (run by the build). */
export async function writeCheckedContract(path: string): Promise<number> {
  const tools = await loadToolContract(path);
  const { ToolValidators } = await import('./schema-validator.js');
  new ToolValidators(tools); // throws when a schema does not compile
  const checked: CheckedContract = {
    loaderVersion: LOADER_VERSION,
    sourceSha256: sha256(await readFile(path)),
    tools,
  };
  await writeFile(checkedPath(path), JSON.stringify(checked));
  return tools.length;
}
