import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where `mcp-tools.yaml` is: next to the built code in the published package (the build copies
 * it there), or at the repository root when running from source.
 */
export function defaultContractPath(): string {
  const candidates = [
    new URL('../mcp-tools.yaml', import.meta.url), // dist/contract/ -> dist/mcp-tools.yaml
    new URL('./mcp-tools.yaml', import.meta.url), // the Lambda bundle's folder
    new URL('../../../../openapi/mcp-tools.yaml', import.meta.url), // src/contract/ -> repo root
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`mcp-tools.yaml not found; looked in ${candidates.join(', ')}`);
  return found;
}
