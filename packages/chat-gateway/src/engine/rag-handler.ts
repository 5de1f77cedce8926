import { citationPlace, renderPassages } from 'chatbot-mcp-server/documents';
import type { ChatModel } from '../ports/chat-model.js';
import type { ToolClient } from '../ports/tool-client.js';
import { citedSources, snippet } from './citations.js';
import { streamModelTurn } from './model-turn.js';
import { RAG_SYSTEM, ragUserMessage } from './prompts.js';
import type { CitedSource, HandlerOutcome, TurnInput } from './turn.js';

export interface RagOptions {
  tools: ToolClient;
  model?: ChatModel;
  minScore: number;
  limit: number;
  timeoutMs: number;
}

interface Passage {
  source: string;
  title?: string;
  heading?: string;
  content: string;
  score: number;
}

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
  const query = input.content.slice(0, 2000);
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
  if (passages.length === 0) {
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
    const text = await quotePassages(shown, input);
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

/** The offline engine's answer: the best passages quoted, each with its citation. */
async function quotePassages(shown: CitedSource[], input: TurnInput): Promise<string> {
  const parts = [
    'Here is what the documents say (quoted; no language model is configured to summarise):\n\n',
  ];
  for (const s of shown.slice(0, 3)) {
    parts.push(`> ${s.snippet.replace(/[[\]]/g, '\\$&')} [${s.n}]\n\n`);
  }
  if (shown.length > 3)
    parts.push(
      `More in ${shown
        .slice(3)
        .map((s) => `[${s.n}]`)
        .join(' ')}.\n`,
    );
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
