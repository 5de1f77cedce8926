import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, makeTempDir, PACKAGE_DIR, removeDir } from '../support/cli-process.js';
import { npmEnv, packPackage, run } from '../support/pack.js';

/**
 * examples/integration-test as a user's project would have it: the package packed, the example
 * copied to a temporary folder, its dependencies installed with npm (chatbot-mcp-server from the
 * tarball, vitest from the registry), then both of its test commands run. Proves the
 * `chatbot-mcp-server/testing` export works from the published files alone.
 */

const EXAMPLE_DIR = join(PACKAGE_DIR, '..', '..', 'examples', 'integration-test');

let root: string;
let project: string;

beforeAll(async () => {
  assertBuilt();
  root = await makeTempDir('mcp-testing-example');
  const tarball = await packPackage(join(root, 'pack'));
  project = join(root, 'project');
  await cp(EXAMPLE_DIR, project, {
    recursive: true,
    filter: (path) => !/[\\/](node_modules|.*\.tgz)$/.test(path),
  });
  const pkgPath = join(project, 'package.json');
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  expect(pkg.devDependencies['chatbot-mcp-server']).toMatch(/^file:.*\.tgz$/);
  pkg.devDependencies['chatbot-mcp-server'] = `file:${tarball}`;
  await writeFile(pkgPath, JSON.stringify(pkg, null, 2));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: project,
    env: npmEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
}, 600_000);

afterAll(() => removeDir(root));

/** Runs an npm script of the example; resolves with its output, fails the test on a non-zero exit. */
async function npmRun(script: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', script], {
      cwd: project,
      env: { ...npmEnv(), CI: 'true', NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 300_000,
    });
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run ${script} failed:\n${stdout}\n${stderr}`);
  }
}

describe('examples/integration-test, installed from the packed tarball', () => {
  it('passes its vitest tests', async () => {
    const output = await npmRun('test:vitest');
    expect(output).toMatch(/Tests\s+2 passed \(2\)/);
  }, 300_000);

  it('passes its node:test tests', async () => {
    const output = await npmRun('test:node');
    expect(output).toMatch(/# pass 2\b/);
    expect(output).toMatch(/# fail 0\b/);
  }, 300_000);
});
