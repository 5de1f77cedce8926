// Bundles the CLI (dist/cli.js, run by MCP hosts over stdio) with esbuild, replacing the file tsc
// wrote. Start-up time matters to MCP hosts, and most of a start was Node resolving and reading
// our ~50 modules one by one; bundled, they are a few files. Dependencies stay external (loaded
// from node_modules as before) and every dynamic import stays lazy: esbuild splits them into
// chunks beside cli.js, at dist/'s root, so paths relative to a module (the contract, package.json)
// resolve as they do from dist/cli.js. The library's entry points (dist/index.js, ./server, ...)
// are tsc's files, unchanged; the embedded store's worker thread runs tsc's dynalite-worker.js.
import { build } from 'esbuild';
import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const CHUNK_PREFIX = 'cli-chunk-';
for (const name of readdirSync(dist)) {
  if (name.startsWith(CHUNK_PREFIX)) rmSync(dist + name);
}
await build({
  entryPoints: { cli: fileURLToPath(new URL('../src/cli.ts', import.meta.url)) },
  outdir: dist,
  chunkNames: `${CHUNK_PREFIX}[name]-[hash]`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: false,
  logLevel: 'warning',
});
chmodSync(`${dist}cli.js`, 0o755);
