/**
 * The `document` and `feedback` frames on the core, with the real MCP server in-process and the
 * sample documents ingested: the viewer's text, a long document's window around the cited
 * passage, citations kept in the history, and feedback stored and counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summariseDay } from '../../src/analytics/daily-stats.js';
import { MAX_DOCUMENT_CHARS } from '../../src/core/document-view.js';
import { coreHarness, send, type CoreHarness } from '../support/core-harness.js';

describe('document viewer and feedback frames on the core (real MCP server in-process)', () => {
  let h: CoreHarness;
  beforeAll(async () => {
    h = await coreHarness();
  }, 120_000);
  afterAll(() => h?.close());

  it('answers a document frame with the indexed text, in which the cited snippet is found', async () => {
    const c = await h.connect();
    await send(h, c, { type: 'message', id: 'd1', content: 'How do I roll back a deployment?' });
    await c.next('finish');
    const cited = c.of('source')[0]!;
    await send(h, c, { type: 'document', source: cited.source, snippet: cited.snippet });
    const doc = await c.next('document');
    expect(doc).toMatchObject({
      source: 'deployment-runbook.md',
      offset: 0,
      mimeType: 'text/markdown',
    });
    expect(doc.totalChars).toBe(doc.text.length);
    // The snippet folds whitespace and may end in "…": its opening words are in the text.
    const opening = cited.snippet.split(/\s+/).slice(0, 6).join(' ');
    expect(doc.text.replace(/\s+/g, ' ')).toContain(opening);
  });

  it("keeps each answer's citations (with snippets) in the history", async () => {
    const c = await h.connect();
    await send(h, c, { type: 'message', id: 'd2', content: 'What is the on-call rotation?' });
    const finish = await c.next('finish');
    const streamed = c.of('source').map(({ n, source, snippet }) => ({ n, source, snippet }));
    expect(streamed.length).toBeGreaterThan(0);
    await send(h, c, { type: 'history', limit: 10 });
    const history = await c.next('history');
    const answer = history.messages.find((m) => m.messageId === finish.messageId);
    expect(answer?.citations?.map(({ n, source, snippet }) => ({ n, source, snippet }))).toEqual(
      streamed,
    );
  });

  it('sends the part around the snippet of a document too long for one frame', async () => {
    const filler = Array.from(
      { length: 1500 },
      (_, i) => `Paragraph ${i} talks about nothing in particular, at some length.`,
    ).join('\n\n');
    const needle = 'The marmot escalation ladder starts with the night porter.';
    const content = `# Long\n\n${filler}\n\n${needle}\n\nThe end.`;
    expect(content.length).toBeGreaterThan(MAX_DOCUMENT_CHARS * 2);
    const ingested = await h.tools.callTool('ingest_document', {
      source: 'long.md',
      content,
      content_type: 'text/markdown',
    });
    expect(ingested.isError).toBe(false);
    const c = await h.connect();
    await send(h, c, { type: 'document', source: 'long.md', snippet: needle });
    const doc = await c.next('document');
    expect(doc.text.length).toBe(MAX_DOCUMENT_CHARS);
    expect(doc.totalChars).toBeGreaterThan(MAX_DOCUMENT_CHARS * 2);
    expect(doc.offset).toBeGreaterThan(0);
    expect(doc.text).toContain(needle);
    expect(Buffer.byteLength(JSON.stringify(doc))).toBeLessThan(128 * 1024);
  });

  it('lists the ingested documents for the panel, a page at a time', async () => {
    const c = await h.connect();
    await send(h, c, { type: 'documents' });
    const page = await c.next('documents');
    const runbook = page.documents.find((d) => d.source === 'deployment-runbook.md');
    expect(runbook).toMatchObject({ title: 'Deployment runbook' });
    expect(runbook?.chunks).toBeGreaterThan(0);
    expect(Date.parse(runbook?.ingestedAt ?? '')).not.toBeNaN();
  });

  it('says which document is missing', async () => {
    const c = await h.connect();
    await send(h, c, { type: 'document', source: 'no-such-doc.md' });
    const error = await c.next('error');
    expect(error).toMatchObject({ code: 'NOT_FOUND', replyTo: 'document', retryable: false });
    expect(error.message).toContain('no-such-doc.md');
  });

  it('stores feedback with the answer, counts it, and refuses a message that is not an answer', async () => {
    const c = await h.connect();
    await send(h, c, { type: 'message', id: 'f1', content: 'What is the on-call rotation?' });
    const finish = await c.next('finish');
    await send(h, c, {
      type: 'feedback',
      messageId: finish.messageId,
      rating: 'down',
      reason: '  too vague  ',
    });
    expect(await c.next('feedback')).toEqual({
      type: 'feedback',
      messageId: finish.messageId,
      rating: 'down',
      reason: 'too vague',
    });
    const sessionId = c.of('session')[0]!.sessionId;
    const stored = (await h.store.listMessages(sessionId, { limit: 5 })).find(
      (m) => m.messageId === finish.messageId,
    );
    expect(stored?.feedback).toMatchObject({ rating: 'down', reason: 'too vague' });

    await send(h, c, { type: 'feedback', messageId: 'NOPE', rating: 'up' });
    const error = await c.next('error', (e) => e.replyTo === 'feedback');
    expect(error.code).toBe('NOT_FOUND');

    const today = new Date().toISOString().slice(0, 10);
    const summary = await summariseDay(h.store, today);
    expect(summary.feedback).toEqual({ up: 0, down: 1 });
  });
});
