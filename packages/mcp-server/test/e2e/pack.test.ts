import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, readFile, readdir, realpath, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  connectStdio,
  makeTempDir,
  NODE_BIN,
  PACKAGE_DIR,
  removeDir,
  type StdioServer,
} from '../support/cli-process.js';
import { documentRoundTrip, recordRoundTrip } from '../support/tool-results.js';

/**
 * The Claude Desktop path: what `npx chatbot-mcp-server` / an `npm install` of the published
 * package gets. Packs the package, installs the tarball from the npm registry into an empty
 * folder (no workspace node_modules to hide a missing dependency) and talks to the installed bin.
 */

const run = promisify(execFile);
const REPO_CONTRACT = join(PACKAGE_DIR, '..', '..', 'openapi', 'mcp-tools.yaml');

interface PackageJson {
  name: string;
  version: string;
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
}

let root: string;
let tarball: string;
let listing: string[];
let extracted: string;

/** npm must not inherit pnpm's npm_* variables when the tests run under `pnpm test`. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  assertBuilt();
  root = await makeTempDir('mcp-pack');
  const packDir = join(root, 'pack');
  await mkdir(packDir);
  // --ignore-scripts: `pnpm test` has just built dist/; a prepack rebuild would pull it away from tests running in parallel.
  await run('pnpm', ['pack', '--config.ignore-scripts=true', '--pack-destination', packDir], {
    cwd: PACKAGE_DIR,
    env: npmEnv(),
  });
  const tarballs = (await readdir(packDir)).filter((f) => f.endsWith('.tgz'));
  expect(tarballs).toHaveLength(1);
  tarball = join(packDir, tarballs[0] ?? '');
  listing = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);
  extracted = join(root, 'extracted');
  await mkdir(extracted);
  await run('tar', ['-xzf', tarball, '-C', extracted]);
}, 60_000);

afterAll(() => removeDir(root));

describe('the packed tarball', () => {
  it('holds the built CLI, the tool contract and package.json', () => {
    expect(listing).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/bin/chatbot-mcp-server.mjs',
        'package/dist/cli.js',
        'package/dist/index.js',
        'package/dist/mcp-tools.yaml',
      ]),
    );
  });

  it('holds no sources, tests, benchmarks or build scripts', () => {
    const unwanted = listing.filter(
      (path) =>
        /^package\/(src|test|bench|scripts|node_modules)\//.test(path) ||
        /\.test\.[cm]?[jt]s$/.test(path) ||
        (/\.[cm]?ts$/.test(path) && !/\.d\.[cm]?ts$/.test(path)) ||
        /(^|\/)(vitest\.config|tsconfig[^/]*)\.[a-z]+$/.test(path),
    );
    expect(unwanted).toEqual([]);
  });

  it('the bin (bin/chatbot-mcp-server.mjs, which runs dist/cli.js) starts with a node shebang and is executable', async () => {
    const shim = await readFile(
      join(extracted, 'package', 'bin', 'chatbot-mcp-server.mjs'),
      'utf8',
    );
    expect(shim.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(shim).toContain("'../dist/cli.js'");
    const verbose = (await run('tar', ['-tvzf', tarball])).stdout;
    const line = verbose.split('\n').find((l) => l.endsWith(' package/bin/chatbot-mcp-server.mjs'));
    expect(line).toMatch(/^-rwxr-xr-x/);
  });

  it('ships the same tool contract as the repository (dist is not stale)', async () => {
    const shipped = await readFile(join(extracted, 'package', 'dist', 'mcp-tools.yaml'), 'utf8');
    expect(
      shipped === (await readFile(REPO_CONTRACT, 'utf8')),
      'dist/mcp-tools.yaml differs from openapi/mcp-tools.yaml: run pnpm build',
    ).toBe(true);
  });

  it('declares every package the built code imports under "dependencies"', async () => {
    const pkg = JSON.parse(
      await readFile(join(extracted, 'package', 'package.json'), 'utf8'),
    ) as PackageJson;
    expect(pkg.bin).toEqual({ 'chatbot-mcp-server': 'bin/chatbot-mcp-server.mjs' });
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    const shipped = [
      ...(await filesUnder(join(extracted, 'package', 'dist'))),
      ...(await filesUnder(join(extracted, 'package', 'bin'))),
    ];
    for (const file of shipped.filter((f) => /\.m?js$/.test(f))) {
      const code = await readFile(file, 'utf8');
      for (const [, specifier = ''] of code.matchAll(
        /(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g,
      )) {
        if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier))
          continue;
        const name = specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
        if (!pkg.dependencies?.[name])
          missing.add(`${name} (imported by ${relative(extracted, file)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

describe('installed from the tarball with npm', () => {
  let installDir: string;
  let dataDir: string;
  let server: StdioServer | undefined;
  let bin: string;

  beforeAll(async () => {
    installDir = await makeTempDir('mcp-install');
    dataDir = await makeTempDir('mcp-install-data');
    await writeFile(
      join(installDir, 'package.json'),
      JSON.stringify({ name: 'claude-desktop-host', private: true }),
    );
    await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: installDir,
      env: npmEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
    bin = join(installDir, 'node_modules', '.bin', 'chatbot-mcp-server');
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await removeDir(installDir);
    await removeDir(dataDir);
  });

  it('installs an executable chatbot-mcp-server bin', async () => {
    await expect(access(bin, constants.X_OK)).resolves.toBeUndefined();
    expect(await realpath(bin)).toBe(
      join(
        await realpath(installDir),
        'node_modules',
        'chatbot-mcp-server',
        'bin',
        'chatbot-mcp-server.mjs',
      ),
    );
  });

  it('serves the record tools over stdio and does a round trip', async () => {
    // With NODE_BIN (Node 22 / 24 in .ci/run) the installed CLI runs on that Node.
    server = process.env.NODE_BIN
      ? await connectStdio({
          command: NODE_BIN,
          args: [await realpath(bin), '--data-dir', dataDir],
        })
      : await connectStdio({ command: bin, args: ['--data-dir', dataDir] });
    const pkg = JSON.parse(
      await readFile(join(extracted, 'package', 'package.json'), 'utf8'),
    ) as PackageJson;
    expect(server.client.getServerVersion()).toMatchObject({
      name: pkg.name,
      version: pkg.version,
    });

    const { tools } = await server.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'create_record',
        'read_record',
        'update_record',
        'delete_record',
        'list_records',
      ]),
    );
    expect(names.filter((n) => n.endsWith('_record') || n.endsWith('_records'))).toHaveLength(5);

    await recordRoundTrip(server.client);
    expect(server.transportErrors).toEqual([]);
  });

  it('does a document round trip (LanceDB from the installed dependencies)', async () => {
    expect(server, 'the stdio server of the previous test').toBeDefined();
    await documentRoundTrip(server!.client, 'guides/quokkas.md');
    expect(server!.transportErrors).toEqual([]);
  });
});

describe('package metadata for publication', () => {
  it('has repository, homepage, bugs, keywords, publishConfig and the tested engines', async () => {
    const pkg = JSON.parse(
      await readFile(join(extracted, 'package', 'package.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(pkg.repository).toMatchObject({ type: 'git', directory: 'packages/mcp-server' });
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs).toMatchObject({ url: expect.stringMatching(/^https:\/\//) as unknown });
    expect(pkg.keywords).toEqual(expect.arrayContaining(['mcp', 'model-context-protocol']));
    expect(pkg.publishConfig).toEqual({ access: 'public', provenance: true });
    expect(pkg.engines).toEqual({ node: '>=20.19' });
    expect(listing).toEqual(expect.arrayContaining(['package/CHANGELOG.md', 'package/README.md']));
  });
});
