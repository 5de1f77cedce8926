import { describe, expect, it } from 'vitest';
import { answerFromDocuments } from '../../../src/engine/rag-handler.js';
import type { ToolClient } from '../../../src/ports/tool-client.js';
import type { CitedSource, TurnInput, TurnSink } from '../../../src/engine/turn.js';

const passage = {
  source: 'git-stash.html',
  title: 'git-stash(1)',
  heading: 'DESCRIPTION',
  score: 0.9,
  content:
    'Git is a version control system. Use git stash when you want to record the current state of the working directory and the index, but want to go back to a clean working directory.',
};

/** A tool client whose search always returns the stash passage, well above the threshold. */
const tools: ToolClient = {
  listTools: () => Promise.resolve([]),
  callTool: () => Promise.resolve({ isError: false, text: '', structured: { results: [passage] } }),
  readDocument: () => Promise.reject(new Error('not used by these answers')),
  close: () => Promise.resolve(),
};

async function ask(content: string) {
  let text = '';
  const sources: CitedSource[] = [];
  const sink = {
    textDelta: (d: string) => Promise.resolve(void (text += d)),
    source: (s: CitedSource) => Promise.resolve(void sources.push(s)),
  } as unknown as TurnSink;
  const input = { content, sink, signal: new AbortController().signal } as unknown as TurnInput;
  const outcome = await answerFromDocuments(
    { tools, minScore: 0.45, limit: 5, timeoutMs: 1000 },
    input,
  );
  return { text, sources, outcome };
}

describe('offline RAG answer (no model)', () => {
  it('leads with the sentence that answers, cited, not with the passage opening', async () => {
    const { text, outcome } = await ask('How do I record the state of my working directory?');
    expect(text).toMatch(/^From the documents[^\n]*\n\nUse git stash when you want to record/);
    expect(text).toMatch(/clean working directory\. \[1\]/);
    expect(text).not.toMatch(/version control system/);
    expect(outcome.sources).toEqual(['git-stash.html']);
  });

  it('says nothing answers when a passage passes the score threshold but not the question', async () => {
    const { text, sources, outcome } = await ask('What is the capital of France?');
    expect(text).toMatch(/^I don't know: nothing in the team's documents/);
    expect(sources).toEqual([]);
    expect(outcome.sources).toEqual([]);
  });
});
