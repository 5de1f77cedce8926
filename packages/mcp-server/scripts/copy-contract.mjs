// Ships the OpenAPI tool contract inside the package, next to the built code.
import { copyFileSync, chmodSync } from 'node:fs';
copyFileSync(new URL('../../../openapi/mcp-tools.yaml', import.meta.url), new URL('../dist/mcp-tools.yaml', import.meta.url));
chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755);
