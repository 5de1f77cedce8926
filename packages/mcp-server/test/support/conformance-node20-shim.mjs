// Lets @modelcontextprotocol/conformance (built for Node 22+) start on Node 20.
//
// Its bundle does `import { globSync } from "fs"`, which Node 20 does not export, so the whole
// CLI dies at link time with "fs does not provide an export named globSync". Run it as
//   node --import ./test/support/conformance-node20-shim.mjs node_modules/.../conformance/dist/index.js
// This file is both halves of an ESM loader: imported with `--import`, it registers itself as
// hooks (with `?hooks`); loaded as hooks, it serves the conformance package a replacement `fs`
// that re-exports everything from `node:fs` plus a `globSync` built on tinyglobby. Nothing
// else is redirected, and on Node 22+ the real `fs.globSync` is kept.
import fs from 'node:fs';
import { register } from 'node:module';

const SHIM_URL = 'conformance-node20-shim:fs';
const PACKAGE_PATH = '/@modelcontextprotocol/conformance/';

if (new URL(import.meta.url).search !== '?hooks' && typeof fs.globSync !== 'function') {
  // Resolved here: the hooks thread has no import.meta.resolve, and the shim module no location.
  register(`${import.meta.url}?hooks`, { data: { tinyglobby: import.meta.resolve('tinyglobby') } });
}

/** tinyglobby's file URL, handed over by `register`. */
let tinyglobby = '';

/** @type {import('node:module').InitializeHook<{ tinyglobby: string }>} */
export function initialize(data) {
  tinyglobby = data.tinyglobby;
}

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  if (
    (specifier === 'fs' || specifier === 'node:fs') &&
    context.parentURL?.includes(PACKAGE_PATH)
  ) {
    return { url: SHIM_URL, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  if (url !== SHIM_URL) return nextLoad(url, context);
  const source = `
import fs from 'node:fs';
import { globSync as tinyGlobSync } from ${JSON.stringify(tinyglobby)};
export * from 'node:fs';
export default fs;
/** fs.globSync(pattern, { cwd, exclude }) as Node 22 has it: paths relative to cwd. */
export function globSync(pattern, options = {}) {
  const { cwd = process.cwd(), exclude } = options;
  if (typeof exclude === 'function') {
    throw new TypeError('conformance-node20-shim: globSync supports exclude as a list of patterns only');
  }
  return tinyGlobSync(pattern, {
    cwd: String(cwd),
    ...(exclude && { ignore: exclude }),
    expandDirectories: false,
    dot: true,
  });
}
`;
  return { format: 'module', source, shortCircuit: true };
}
