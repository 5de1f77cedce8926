import type { DocumentService } from '../documents/document-service.js';
import type { SearchMode } from '../ports/vector-store.js';
import { visibleInTerminal } from '../tools/display-text.js';
import { citationPlace } from '../tools/passage-text.js';

/** `chatbot-mcp-server search "<query>"`: prints the best passages with their sources. */
export async function runSearch(
  query: string,
  options: { limit?: number; mode?: SearchMode; threshold?: number },
  documents: DocumentService,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const hits = await documents.search({ query, ...options });
  if (hits.length === 0) {
    out.write(`${await explainNoMatch(query, options, documents)}\n`);
    return 0;
  }
  for (const [i, hit] of hits.entries()) {
    // Document-controlled text: no bidi reordering, no terminal escape sequences.
    const where = visibleInTerminal(citationPlace(hit.title, hit.heading));
    const excerpt = visibleInTerminal(hit.content.replace(/\s+/g, ' ').trim());
    out.write(
      `[${i + 1}] ${visibleInTerminal(hit.source)}${where ? ` — ${where}` : ''}  (score ${hit.score.toFixed(3)})\n` +
        `    ${excerpt.length > 300 ? `${excerpt.slice(0, 300)}…` : excerpt}\n\n`,
    );
  }
  return hits.length;
}

/** Says why nothing came back: an empty index, or nothing passing the mode or threshold. */
async function explainNoMatch(
  query: string,
  options: { mode?: SearchMode; threshold?: number },
  documents: DocumentService,
): Promise<string> {
  const { documents: some } = await documents.listDocuments({ limit: 1 });
  if (some.length === 0) {
    return `No passages matched "${query}": the document index is empty. Ingest documents first: chatbot-mcp-server ingest <files>`;
  }
  const how = [
    `mode ${options.mode ?? 'hybrid'}`,
    ...(options.threshold !== undefined ? [`threshold ${options.threshold}`] : []),
  ].join(', ');
  const tips = [
    ...(options.threshold !== undefined ? ['a lower --threshold'] : []),
    ...(options.mode !== undefined && options.mode !== 'hybrid' ? ['--mode hybrid'] : []),
    'other words',
  ];
  return `No passages matched "${query}" in the indexed documents (${how}); try ${tips.join(', or ')}.`;
}
