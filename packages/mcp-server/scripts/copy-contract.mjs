// Ships the OpenAPI tool contract inside the package, next to the built code, validated once
// here (a broken contract fails the build) with the result stored for a fast start-up.
import { copyFileSync, chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const target = new URL('../dist/mcp-tools.yaml', import.meta.url);
copyFileSync(new URL('../../../openapi/mcp-tools.yaml', import.meta.url), target);
chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755);
const { writeCheckedContract } = await import('../dist/contract/checked-contract.js');
await writeCheckedContract(fileURLToPath(target));
