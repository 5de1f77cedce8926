import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, resolveEntries } from '../lib/function-entries.js';
import { WEB_DIR } from '../lib/web-assets.js';

const run = promisify(execFile);
const INFRA = fileURLToPath(new URL('..', import.meta.url));

interface Template {
  Resources: Record<
    string,
    { Type: string; Metadata?: Record<string, string>; Properties: Record<string, unknown> }
  >;
}

/**
 * The real app, as `cdk synth` runs it: bin/app.ts in its own process with cdk.json's context,
 * the real handler entry files, esbuild bundling (local, offline) and the cdk-nag plugin, which
 * fails the synthesis on any unacknowledged finding. Output goes outside the repository so the
 * bundles are checked without the workspace's node_modules around them.
 */
describe('synth of the real app (bundled, offline, cdk-nag)', () => {
  let out = '';
  let lambda: Template;

  beforeAll(async () => {
    resolveEntries(); // fails here, naming any missing handler file
    // The page is uploaded from the gateway's build; `pnpm -r test` may reach this package
    // before that one has built, and the page build takes under a second.
    if (!existsSync(join(WEB_DIR, 'index.html'))) {
      await run(process.execPath, [
        join(REPO_ROOT, 'packages', 'chat-gateway', 'scripts', 'build-web.mjs'),
      ]);
    }
    out = mkdtempSync(join(tmpdir(), 'chatbot-cdk-'));
    const { context } = JSON.parse(readFileSync(join(INFRA, 'cdk.json'), 'utf8')) as {
      context: object;
    };
    await run(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: INFRA,
      env: {
        PATH: `${join(INFRA, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
        HOME: process.env.HOME ?? tmpdir(),
        CDK_OUTDIR: out,
        // As the CLI passes it; asset metadata names each function's bundle folder.
        CDK_CONTEXT_JSON: JSON.stringify({
          ...context,
          account: '123456789012',
          'aws:cdk:enable-asset-metadata': true,
        }),
      },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 280_000,
    });
    lambda = JSON.parse(readFileSync(join(out, 'ChatbotLambda.template.json'), 'utf8')) as Template;
  });

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  // A failing plugin (cdk-nag or CloudFormation's default rules) makes bin/app.ts throw, so
  // reaching here already means it passed; the report must show no failure either.
  it('writes the five stacks and a validation report without failures', () => {
    for (const stack of [
      'ChatbotDatabase',
      'ChatbotSearch',
      'ChatbotApi',
      'ChatbotLambda',
      'ChatbotWeb',
    ]) {
      expect(existsSync(join(out, `${stack}.template.json`)), stack).toBe(true);
    }
    const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
    };
    for (const r of report.pluginReports) {
      expect(r.conclusion, r.pluginName).not.toBe('failure');
      expect(r.violations, r.pluginName).toEqual([]);
    }
  });

  function assetDir(functionName: string): string {
    const [fn] = Object.entries(lambda.Resources).filter(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(`${functionName}Function`),
    );
    const path = fn?.[1].Metadata?.['aws:asset:path'];
    expect(path, functionName).toBeDefined();
    return join(out, path!);
  }

  it.each([
    'WebSocket',
    'Authorizer',
    'Engine',
    'SessionCleanup',
    'McpServer',
    'UploadsForm',
    'UploadsIngest',
  ])('%s: an ESM bundle with a require shim', (name) => {
    const bundle = readFileSync(join(assetDir(name), 'index.mjs'), 'utf8');
    expect(bundle.startsWith("import { createRequire } from 'module';")).toBe(true);
    expect(bundle).toMatch(/export\s*\{[^}]*handler/);
  });

  it('the upload ingest bundle carries pdf.js (and its worker) and reads a PDF with it, offline', async () => {
    const dir = assetDir('UploadsIngest');
    expect(readdirSync(join(dir, 'node_modules', 'pdfjs-dist', 'legacy', 'build')).sort()).toEqual([
      'pdf.mjs',
      'pdf.worker.mjs',
    ]);
    // A one-page PDF without an xref table (pdf.js rebuilds it), read as the function would.
    const pdf = [
      '%PDF-1.4',
      '1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj',
      '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj',
      '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 100]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj',
      '4 0 obj<</Length 45>>stream',
      'BT /F1 12 Tf 10 50 Td (Backups run nightly) Tj ET',
      'endstream endobj',
      '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj',
      'trailer<</Root 1 0 R>>',
      '%%EOF',
    ].join('\n');
    const script = `
      const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
      const doc = await getDocument({ data: new Uint8Array(Buffer.from(${JSON.stringify(pdf)})), isEvalSupported: false, verbosity: 0 }).promise;
      const page = await doc.getPage(1);
      const text = (await page.getTextContent()).items.map((i) => i.str).join('');
      process.stdout.write(text);
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
    });
    // pdf.js warns (on stdout) that the optional canvas package for rendering is absent;
    // text extraction does not use it.
    expect(stdout).toMatch(/Backups run nightly$/);
  });

  it('the MCP server bundle carries its tool contract and the pre-validated copy', () => {
    const dir = assetDir('McpServer');
    expect(readdirSync(dir).sort()).toEqual([
      'index.mjs',
      'mcp-tools.checked.json',
      'mcp-tools.yaml',
    ]);
    expect(readFileSync(join(dir, 'mcp-tools.yaml'), 'utf8')).toBe(
      readFileSync(join(INFRA, '..', '..', 'openapi', 'mcp-tools.yaml'), 'utf8'),
    );
  });

  it('the MCP server bundle loads on its own and lists its tools (direct invoke, as the engine calls it)', async () => {
    const dir = assetDir('McpServer');
    const script = `
      const { handler } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
      const init = await handler({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'synth-test', version: '1' } } });
      const list = await handler({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
      process.stdout.write(JSON.stringify({ server: init.result.serverInfo.name, tools: list.result.tools.map((t) => t.name) }));
    `;
    // The function's own settings; no network is used before a tool is called.
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'offline',
        AWS_SECRET_ACCESS_KEY: 'offline',
        RECORD_STORE: 'dynamodb',
        VECTOR_STORE: 'opensearch',
        OPENSEARCH_ENDPOINT: 'https://offline.us-east-1.aoss.amazonaws.com',
        OPENSEARCH_SERVICE: 'aoss',
        EMBEDDER: 'bedrock',
        BEDROCK_REGION: 'us-east-1',
        EMBEDDING_DIMENSIONS: '1024',
      },
      timeout: 60_000,
    });
    const result = JSON.parse(stdout) as { server: string; tools: string[] };
    expect(result.server).toBe('chatbot-mcp-server');
    expect(result.tools).toEqual(
      expect.arrayContaining(['search_documents', 'create_record', 'list_records']),
    );
  });
});
