// Bundles the CLI (dist/cli.js, run by MCP hosts over stdio) with esbuild, replacing the file tsc
// wrote. Start-up time matters to MCP hosts, and most of a start was Node resolving, reading and
// compiling modules one by one: ours (~50) and, more, those of the packages every start loads
// (the MCP SDK, zod, ajv: about 250 files). Bundled, they are a few files. The packages on the
// way to the first answer (START_UP_PACKAGES, and what they import) are bundled; every other
// dependency stays external (loaded from node_modules, and only when used), and every dynamic
// import stays lazy: esbuild splits them into chunks beside cli.js, at dist/'s root, so paths
// relative to a module (the contract, package.json) resolve as they do from dist/cli.js. The
// library's entry points (dist/index.js, ./server, ...) are tsc's files, unchanged, and import
// the packages from node_modules; the embedded store's worker thread runs tsc's
// dynalite-worker.js.
import { build } from 'esbuild';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Loaded by every start, before `initialize` is answered. */
const START_UP_PACKAGES = ['@modelcontextprotocol/sdk', 'zod', 'ajv', 'ajv-formats'];

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const { dependencies } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url)));
const CHUNK_PREFIX = 'cli-chunk-';
for (const name of readdirSync(dist)) {
  if (name.startsWith(CHUNK_PREFIX)) rmSync(dist + name);
}
const { metafile } = await build({
  entryPoints: { cli: fileURLToPath(new URL('../src/cli.ts', import.meta.url)) },
  outdir: dist,
  chunkNames: `${CHUNK_PREFIX}[name]-[hash]`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(dependencies).filter((name) => !START_UP_PACKAGES.includes(name)),
  // ajv is CommonJS: its require() calls of Node's modules need a require in an ES module.
  banner: {
    js: "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);",
  },
  // The bundled packages' licence comments stay, at the end of each file.
  legalComments: 'eof',
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
});
chmodSync(`${dist}cli.js`, 0o755);
writeFileSync(
  `${dist}cli-third-party-licenses.txt`,
  thirdPartyNotices(Object.keys(metafile.inputs)),
);

/** The licence of each package with code in the bundle, as its licence asks to ship beside it. */
function thirdPartyNotices(inputs) {
  const packageDirs = new Set();
  for (const input of inputs) {
    const match = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packageDirs.add(match[1]);
  }
  const notices = [...packageDirs].map((dir) => {
    const { name, version, license } = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
    const file = readdirSync(dir).find((f) => /^licen[cs]e(\.|$)/i.test(f));
    const text = file && existsSync(`${dir}/${file}`) ? readFileSync(`${dir}/${file}`, 'utf8') : '';
    return `${name}@${version} (${license})\n\n${text.trim() || `Licence: ${license}`}\n`;
  });
  return (
    'dist/cli.js and its chunks bundle code of these packages:\n\n' +
    notices.sort().join(`\n${'-'.repeat(72)}\n\n`)
  );
}
