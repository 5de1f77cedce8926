import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';

interface Manifest {
  format: 1;
  embedderId: string;
  dimensions: number;
  createdAt: string;
}

const FILE = 'index.json';

/**
 * Records which embedder built the index in `dir`, and refuses to open it with another one:
 * vectors from two embedders are not comparable, and the failure would otherwise be silent
 * (same dimensions) or an obscure LanceDB error (different dimensions).
 */
export async function checkIndexManifest(
  dir: string,
  embedder: { id: string; dimensions: number },
): Promise<void> {
  const file = join(dir, FILE);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text === undefined) {
    await mkdir(dir, { recursive: true });
    const manifest: Manifest = {
      format: 1,
      embedderId: embedder.id,
      dimensions: embedder.dimensions,
      createdAt: new Date().toISOString(),
    };
    await writeFile(file, JSON.stringify(manifest, null, 2) + '\n');
    return;
  }
  const manifest = JSON.parse(text) as Partial<Manifest>;
  if (manifest.embedderId !== embedder.id || manifest.dimensions !== embedder.dimensions) {
    throw new ConfigError(
      `the document index in ${dir} was built with embedder ${String(manifest.embedderId)} ` +
        `(${String(manifest.dimensions)} dimensions), but this server uses ${embedder.id} ` +
        `(${embedder.dimensions}); use another data directory, or delete ${dir} and ingest the documents again`,
    );
  }
}
