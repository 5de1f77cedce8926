// Bundles the Lambda handler with esbuild into dist-lambda/ (index.mjs + the tool contract).
// Embedded-only modules (dynalite, LanceDB, pdf.js) are left out: on Lambda the stores are AWS.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';

const out = new URL('../dist-lambda/', import.meta.url);
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [new URL('../src/transports/lambda.ts', import.meta.url).pathname],
  outfile: new URL('index.mjs', out).pathname,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  sourcemap: false,
  external: ['dynalite', '@lancedb/lancedb', 'apache-arrow', 'pdfjs-dist'],
  banner: {
    js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
copyFileSync(
  new URL('../../../openapi/mcp-tools.yaml', import.meta.url),
  new URL('mcp-tools.yaml', out),
);
const { writeCheckedContract } = await import('../dist/contract/checked-contract.js');
await writeCheckedContract(fileURLToPath(new URL('mcp-tools.yaml', out)));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
writeFileSync(
  new URL('package.json', out),
  JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module' }),
);
const kb = (statSync(new URL('index.mjs', out)).size / 1024).toFixed(0);
console.log(`dist-lambda/index.mjs: ${kb} KiB`);
