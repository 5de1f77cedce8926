import { citationPlace, renderPassages } from 'chatbot-mcp-server/documents';
import type { ChatModel } from '../ports/chat-model.js';
import type { ToolClient } from '../ports/tool-client.js';
import { citedSources, flatSnippet, snippet } from './citations.js';
import { coverage, extractAnswer, questionTerms, type AnswerPassage } from './extractive-answer.js';
import { streamModelTurn } from './model-turn.js';
import { RAG_SYSTEM, ragUserMessage } from './prompts.js';
import type { CitedSource, HandlerOutcome, TurnInput } from './turn.js';
import { cutText } from 'chatbot-mcp-server/core';

export interface RagOptions {
  tools: ToolClient;
  model?: ChatModel;
  minScore: number;
  /**
   * Offline engine only: the least share of the question's terms (IDF-weighted) the best passage
   * must hold for an answer; below it the answer says nothing in the documents answers.
   */
  minCoverage?: number;
  limit: number;
  timeoutMs: number;
}

interface Passage {
  source: string;
  title?: string;
  heading?: string;
  lead?: string;
  content: string;
  score: number;
}

/** Calibrated on the docs QA train split (`pnpm eval:docs`): on-topic vs off-topic questions. */
export const DEFAULT_MIN_COVERAGE = 0.45;

const NO_ANSWER =
  "I don't know: nothing in the team's documents matches this question closely enough to answer it. Try other words, or ask about something the documents cover.";

/**
 * Answers from the documents: `search_documents` through the MCP client, a `source` frame per
 * passage, and an answer citing them as `[n]`. With a model, the passages it is shown are
 * rendered here from the structured results with the server's own fencing (`renderPassages`:
 * every document-controlled string, source included, inside a `<passage>` fence; outside it
 * only `[n]` and the score), numbered exactly as the `source` frames; without a model, the best
 * passages are quoted. Nothing above the threshold:
 * the answer says it does not know and cites nothing.
 */
export async function answerFromDocuments(
  options: RagOptions,
  input: TurnInput,
): Promise<HandlerOutcome> {
  const query = cutText(input.content, 2000);
  const search = await options.tools.callTool(
    'search_documents',
    { query, limit: options.limit, threshold: options.minScore },
    { signal: input.signal, timeoutMs: options.timeoutMs },
  );
  if (search.isError) {
    const text = `I could not search the documents: ${search.text}`;
    await input.sink.textDelta(text);
    return { content: text, sources: [], toolsUsed: ['search_documents'], finishReason: 'error' };
  }
  const passages = ((search.structured?.results ?? []) as Passage[]).filter(
    (p) => p.score >= options.minScore,
  );
  const offlinePassages: AnswerPassage[] = passages.map((p, i) => ({
    n: i + 1,
    content: p.content,
    place: citationPlace(p.title, p.heading),
    ...(p.lead !== undefined && { lead: p.lead }),
  }));
  const unanswered =
    passages.length === 0 ||
    (!options.model &&
      coverage(questionTerms(query), offlinePassages) <
        (options.minCoverage ?? DEFAULT_MIN_COVERAGE));
  if (unanswered) {
    await input.sink.textDelta(NO_ANSWER);
    return {
      content: NO_ANSWER,
      sources: [],
      toolsUsed: ['search_documents'],
      finishReason: 'stop',
    };
  }
  const shown: CitedSource[] = passages.map((p, i) => {
    const title = citationPlace(p.title, p.heading) || undefined;
    return {
      n: i + 1,
      source: p.source,
      ...(title && { title }),
      snippet: snippet(p.content),
      score: Math.round(p.score * 1000) / 1000,
    };
  });
  for (const source of shown) await input.sink.source(source);

  if (!options.model) {
    const text = await quotePassages(query, offlinePassages, shown, input);
    return {
      content: text,
      sources: citedSources(text, shown),
      toolsUsed: ['search_documents'],
      finishReason: 'stop',
    };
  }
  const turn = await streamModelTurn(
    options.model,
    {
      system: RAG_SYSTEM,
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: ragUserMessage(input.content, fenced(query, passages)) }],
        },
      ],
      maxTokens: 1024,
      signal: input.signal,
    },
    input.sink,
  );
  return {
    content: turn.text,
    sources: citedSources(turn.text, shown),
    toolsUsed: ['search_documents'],
    finishReason: turn.finish === 'length' ? 'length' : 'stop',
  };
}

/**
 * The offline engine's answer: the sentences (or whole tables and code blocks) of the best
 * passages that hold the question's terms, each cited; then where more is to be read.
 */
async function quotePassages(
  question: string,
  passages: readonly AnswerPassage[],
  shown: CitedSource[],
  input: TurnInput,
): Promise<string> {
  const extracts = extractAnswer(question, passages);
  const parts = ['From the documents (extracted; no language model is configured):\n\n'];
  let prose: string[] = [];
  const flush = () => {
    if (prose.length > 0) parts.push(`${prose.join(' ')}\n\n`);
    prose = [];
  };
  for (const e of extracts) {
    if (e.kind === 'sentence') {
      prose.push(`${e.text.replace(/[[\]]/g, '\\$&')} [${e.n}]`);
    } else {
      flush();
      parts.push(`${e.text}\n\n[${e.n}]\n\n`);
    }
  }
  flush();
  if (extracts.length === 0)
    for (const s of shown.slice(0, 2))
      parts.push(`> ${flatSnippet(s.snippet).replace(/[[\]]/g, '\\$&')} [${s.n}]\n\n`);
  for (const part of parts) await input.sink.textDelta(part);
  return parts.join('');
}

/** The passages as the model reads them: numbered as shown, every document string fenced. */
function fenced(query: string, passages: readonly Passage[]): string {
  return renderPassages(
    query,
    passages.map((p) => ({
      source: p.source,
      score: p.score,
      content: p.content,
      place: citationPlace(p.title, p.heading),
    })),
  );
}
