// Builds the chat page into dist/web (index.html, app.js, app.css), the folder the gateway serves at `/`.
// Every file is written to a temporary name and renamed, so a gateway or a test reading dist/web
// while another process rebuilds never sees half a file.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'web');

function writeAtomic(path, contents) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

const result = await build({
  entryPoints: [join(root, 'web', 'src', 'main.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  platform: 'browser',
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
  tsconfig: join(root, 'web', 'tsconfig.json'),
});
const js = result.outputFiles[0]?.contents;
if (!js) throw new Error('esbuild produced no output for web/src/main.ts');

mkdirSync(outDir, { recursive: true });
writeAtomic(join(outDir, 'app.js'), js);
writeAtomic(join(outDir, 'app.css'), readFileSync(join(root, 'web', 'app.css')));
writeAtomic(join(outDir, 'index.html'), readFileSync(join(root, 'web', 'index.html')));
writeAtomic(join(outDir, 'favicon.svg'), readFileSync(join(root, 'web', 'favicon.svg')));

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
process.stderr.write(
  `web: dist/web/app.js ${kb(js.length)}, ${kb(gzipSync(js, { level: 9 }).length)} gzipped\n`,
);
