/**
 * Documentation QA eval (`pnpm eval:docs`): a real product manual (the Git documentation as
 * Debian ships it in `git-doc`, about 240 HTML pages) ingested through the real path
 * (`ingest_document` as text/html), then the fixed questions in `docs-qa/git-doc-qa.json`:
 *   - `search_documents`: hit@5 and MRR@5 of the expected page(s);
 *   - the chat engine with no model (the offline engine): expected page cited, answer text holds
 *     the expected phrase, off-topic questions answered "not found", on-topic wrongly not found.
 * Usage: `pnpm eval:docs [--split train|test|all] [--manual <folder holding usr/share/doc/git-doc>]`
 * [--min-score <n>] [--verbose]. Without `--manual` the package is fetched with `apt-get
 * download git-doc` and unpacked into a temp folder (the manual itself is not committed).
 * `--split all` prints train and test as separate blocks. A question's expected pages are
 * widened by the rules of `docs-qa/accepted-pages.ts` (duplicates, synonym pages, guides that
 * answer with the same command). Tune on train; report test once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, silentLogger } from 'chatbot-mcp-server/core';
import { createRuntime } from 'chatbot-mcp-server/runtime';
import { McpToolClient } from '../src/adapters/mcp/mcp-tool-client.js';
import { inProcessTransport } from '../src/adapters/mcp/transports.js';
import { DEFAULT_RAG_MIN_SCORE } from '../src/config.js';
import { ChatEngine } from '../src/engine/chat-engine.js';
import { coverage, questionTerms } from '../src/engine/extractive-answer.js';
import type { TurnSink } from '../src/engine/turn.js';
import { citationPlace } from 'chatbot-mcp-server/documents';
import { acceptedPages } from './docs-qa/accepted-pages.js';

interface OnTopic {
  id: string;
  split: 'train' | 'test';
  question: string;
  pages: string[];
  phrase: string;
}
interface OffTopic {
  id: string;
  split: 'train' | 'test';
  question: string;
}
interface Passage {
  source: string;
  title?: string;
  heading?: string;
  lead?: string;
  content: string;
  score: number;
}
interface QaSet {
  manual: { root: string };
  onTopic: OnTopic[];
  offTopic: OffTopic[];
}

const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'train' },
    manual: { type: 'string' },
    'min-score': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const split = values.split ?? 'train';
if (!['train', 'test', 'all'].includes(split))
  throw new Error(`--split must be train, test or all`);

const qa = JSON.parse(
  readFileSync(new URL('./docs-qa/git-doc-qa.json', import.meta.url), 'utf8'),
) as QaSet;
const splits = split === 'all' ? ['train', 'test'] : [split];

function manualRoot(): { root: string; cleanup: () => void } {
  if (values.manual) {
    const root = join(values.manual, qa.manual.root);
    if (!existsSync(root)) throw new Error(`${root} not found: unpack git-doc under --manual`);
    return { root, cleanup: () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), 'docs-qa-manual-'));
  execFileSync('apt-get', ['download', 'git-doc'], { cwd: dir, stdio: 'ignore' });
  const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error('apt-get download git-doc gave no .deb: pass --manual <folder>');
  execFileSync('dpkg-deb', ['-x', join(dir, deb), join(dir, 'x')]);
  return {
    root: join(dir, 'x', qa.manual.root),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function htmlPages(root: string): string[] {
  const pages: string[] = [];
  for (const sub of ['', 'howto', 'technical']) {
    const dir = join(root, sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.html')) pages.push(join(dir, f));
  }
  return pages.sort();
}

const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)} %`);
const norm = (s: string) => s.replace(/\s+/g, ' ').toLowerCase();

async function main(): Promise<void> {
  const manual = manualRoot();
  const dataDir = mkdtempSync(join(tmpdir(), 'docs-qa-data-'));
  const runtime = await createRuntime(loadConfig({}, { dataDir }), silentLogger, {
    inMemory: true,
  });
  const tools = new McpToolClient({
    connect: inProcessTransport(runtime, silentLogger),
    name: 'in-process',
    logger: silentLogger,
  });
  try {
    const pages = htmlPages(manual.root);
    const accepted = acceptedPages(
      pages.map((file) => ({
        source: relative(manual.root, file),
        html: readFileSync(file, 'utf8'),
      })),
    );
    const t0 = performance.now();
    for (const file of pages) {
      const r = await tools.callTool('ingest_document', {
        source: relative(manual.root, file),
        content: readFileSync(file, 'utf8'),
        content_type: 'text/html',
      });
      if (r.isError) throw new Error(`ingest ${file}: ${r.text}`);
    }
    console.error(
      `ingested ${pages.length} pages in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );

    const minScore = values['min-score'] ? Number(values['min-score']) : undefined;
    const engine = new ChatEngine({
      tools,
      logger: silentLogger,
      ragMinScore: minScore ?? DEFAULT_RAG_MIN_SCORE,
      ragLimit: 5,
      toolTimeoutMs: 60_000,
      historyTokenBudget: 2000,
    });
    const ask = async (question: string) => {
      let text = '';
      const sink: TurnSink = {
        start: () => Promise.resolve(),
        textDelta: (d) => Promise.resolve(void (text += d)),
        source: () => Promise.resolve(),
        toolCall: () => Promise.resolve(),
        approve: () => Promise.resolve(false),
        toolResult: () => Promise.resolve(),
      };
      const outcome = await engine.processMessage({
        sessionId: 's',
        clientMessageId: 'm',
        content: question,
        history: () => Promise.resolve([]),
        signal: new AbortController().signal,
        sink,
        caller: 'anonymous',
      });
      const sources = 'sources' in outcome ? outcome.sources : [];
      return { text, sources, notFound: sources.length === 0 };
    };

    /** Coverage of the question by the passages the chat would see: to calibrate not-found. */
    const coverageOf = async (question: string) => {
      const r = await tools.callTool('search_documents', {
        query: question,
        limit: 5,
        threshold: minScore ?? DEFAULT_RAG_MIN_SCORE,
      });
      const results = (r.structured?.results ?? []) as Passage[];
      const best = results[0]?.score ?? 0;
      const c = coverage(
        questionTerms(question),
        results.map((p, i) => ({
          n: i + 1,
          content: p.content,
          place: citationPlace(p.title, p.heading),
          ...(p.lead !== undefined && { lead: p.lead }),
        })),
      );
      return `${best.toFixed(3)}/${c.toFixed(2)}`;
    };
    for (const name of splits) {
      const onCov: string[] = [];
      const offCov: string[] = [];
      let widened = 0;
      let hit5 = 0;
      let rr = 0;
      let cited = 0;
      let phrase = 0;
      let wronglyNotFound = 0;
      const on = qa.onTopic.filter((q) => q.split === name);
      for (const q of on) {
        const r = await tools.callTool('search_documents', { query: q.question, limit: 5 });
        const results = (r.structured?.results ?? []) as { source: string }[];
        const pages = accepted.pages(q.pages, q.phrase);
        if (pages.length > q.pages.length) widened++;
        const rank = results.findIndex((x) => pages.includes(x.source));
        if (rank >= 0) {
          hit5++;
          rr += 1 / (rank + 1);
        }
        onCov.push(await coverageOf(q.question));
        const a = await ask(q.question);
        const isCited = a.sources.some((s) => pages.includes(s));
        const holds = norm(a.text).includes(norm(q.phrase));
        if (isCited) cited++;
        if (holds) phrase++;
        if (a.notFound) wronglyNotFound++;
        if (values.verbose)
          console.log(
            `${q.id} rank=${rank + 1} cited=${isCited} phrase=${holds} ${q.question}\n  top: ${results
              .map((x) => x.source)
              .join(' ')}\n  answer: ${a.text.slice(0, 600).replace(/\n/g, ' ⏎ ')}`,
          );
      }
      let offNotFound = 0;
      const off = qa.offTopic.filter((q) => q.split === name);
      for (const q of off) {
        offCov.push(await coverageOf(q.question));
        const a = await ask(q.question);
        if (a.notFound) offNotFound++;
        if (values.verbose && !a.notFound)
          console.log(`${q.id} answered: ${q.question} -> ${a.sources.join(' ')}`);
      }
      if (values.verbose)
        console.log(
          `best score/coverage, on-topic: ${onCov.sort().join(' ')}\noff-topic: ${offCov.sort().join(' ')}`,
        );
      console.log(`docs QA (git-doc, ${pages.length} pages), split=${name}, min score ${minScore ?? 'default'}
    on-topic ${on.length} (${widened} with pages added by the rules), off-topic ${off.length}
    search_documents hit@5          ${pct(hit5, on.length)}
    search_documents MRR@5          ${(rr / Math.max(1, on.length)).toFixed(3)}
    chat: expected page cited       ${pct(cited, on.length)}
    chat: answer holds the phrase   ${pct(phrase, on.length)}
    chat: off-topic not found       ${pct(offNotFound, off.length)}
    chat: on-topic wrongly not found ${pct(wronglyNotFound, on.length)}`);
    }
  } finally {
    await tools.close();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
    manual.cleanup();
  }
}

await main();
