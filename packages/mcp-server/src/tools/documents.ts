import type { LazyDocuments } from '../document-runtime.js';
import type { DocumentAccess } from '../documents/document-access.js';
import type { Caller } from '../identity/caller.js';
import type { MetadataValue } from '../documents/document-input.js';
import type { DocumentService, IngestStage } from '../documents/document-service.js';
import type { SearchFilter, SearchHit, SearchMode } from '../ports/vector-store.js';
import { citationPlace, quoted, renderPassages } from './passage-text.js';
import type { ToolCallContext, ToolGroup } from './tool-handler.js';

/** Told after every ingest or delete that changed the index (resources/list_changed). */
export interface DocumentChangeListener {
  notify(): void;
}

/**
 * search_documents' retrieval and text, also used by the cited_answer prompt: the passages a
 * model reads are fenced the same way wherever they come from, and are only those `caller`
 * (absent: the operator) may read.
 */
export async function searchPassages(
  service: DocumentService,
  args: Record<string, unknown>,
  caller: Caller | undefined,
): Promise<{ hits: SearchHit[]; text: string }> {
  const hits = await service.search(
    {
      query: args.query as string,
      limit: args.limit as number | undefined,
      mode: args.mode as SearchMode | undefined,
      ...(args.threshold !== undefined && { threshold: args.threshold as number }),
      ...(args.filter !== undefined && { filter: args.filter as SearchFilter }),
    },
    caller,
  );
  const text = renderPassages(
    args.query as string,
    hits.map((h) => ({
      source: h.source,
      score: h.score,
      content: h.content,
      place: citationPlace(h.title, h.heading),
    })),
  );
  return { hits, text };
}

/** The document tools: search with citations, ingest, delete and list. */
export function documentTools(
  lazy: LazyDocuments,
  changes: DocumentChangeListener = { notify: () => undefined },
): ToolGroup {
  return {
    handlers: {
      search_documents: async (args, context) => {
        const { hits, text } = await searchPassages(await lazy.get(), args, context?.caller);
        return { structured: { results: hits.map(toResult) }, text };
      },
      ingest_document: async (args, context) => {
        const result = await (
          await lazy.get()
        ).ingest(
          {
            source: args.source as string,
            content: args.content as string,
            contentType: (args.content_type as string | undefined) ?? 'text/markdown',
            ...(args.title !== undefined && { title: args.title as string }),
            ...(args.metadata !== undefined && {
              metadata: args.metadata as Record<string, MetadataValue>,
            }),
            ...(args.access !== undefined && { access: args.access as DocumentAccess }),
          },
          ingestProgress(context),
          context?.caller,
        );
        if (!result.skipped) changes.notify();
        const text = result.skipped
          ? `Unchanged: ${quoted(result.source)} is already indexed with this content (${result.chunks} chunks); nothing was re-indexed.`
          : `Indexed ${quoted(result.source)}: ${result.chunks} chunk(s).`;
        return { structured: { ...result }, text };
      },
      delete_document: async (args, context) => {
        const { source, chunks } = await (
          await lazy.get()
        ).deleteDocument(args.source as string, context?.caller);
        changes.notify();
        return {
          structured: { source, deleted_chunks: chunks },
          text: `Deleted ${quoted(source)}: ${chunks} chunk(s) removed from the index.`,
        };
      },
      list_documents: async (args, context) => {
        const page = await (
          await lazy.get()
        ).listDocuments({
          limit: args.limit as number | undefined,
          ...(args.cursor !== undefined && { cursor: args.cursor as string }),
          ...(context?.caller && { caller: context.caller }),
        });
        const documents = page.documents.map((d) => ({
          source: d.source,
          ...(d.title !== undefined && { title: d.title }),
          chunks: d.chunks,
          ingested_at: d.ingestedAt,
        }));
        const lines = documents.map(
          (d) =>
            `- ${quoted(d.source)}${d.title ? ` (title ${quoted(d.title)})` : ''}: ${d.chunks} chunk(s), ingested ${d.ingested_at}`,
        );
        const next = page.cursor
          ? `\nMore documents exist: call list_documents again with cursor "${page.cursor}".`
          : '';
        return {
          structured: page.cursor ? { documents, cursor: page.cursor } : { documents },
          text: `${documents.length} document(s):\n${lines.join('\n')}${next}`,
        };
      },
    },
  };
}

const STAGES: Record<IngestStage, number> = { chunking: 0, embedding: 1, writing: 2, done: 3 };

/** Ingest stages as MCP progress: 0-3 of 3, each with what it works on. */
function ingestProgress(
  context: ToolCallContext | undefined,
): ((stage: IngestStage, chunks: number) => void) | undefined {
  const progress = context?.progress;
  if (!progress) return undefined;
  return (stage, chunks) => {
    const message =
      stage === 'chunking'
        ? 'chunking the document'
        : stage === 'done'
          ? `done: ${chunks} chunk(s) indexed`
          : `${stage} ${chunks} chunk(s)`;
    progress(STAGES[stage], 3, message);
  };
}

function toResult(hit: SearchHit): Record<string, unknown> {
  return {
    id: hit.id,
    content: hit.content,
    source: hit.source,
    score: hit.score,
    ...(hit.title !== undefined && { title: hit.title }),
    ...(hit.heading !== undefined && { heading: hit.heading }),
    // The lead says what the passage's document is about; a passage that opens with it says so.
    ...(hit.lead !== undefined && !hit.content.startsWith(hit.lead) && { lead: hit.lead }),
    metadata: hit.metadata,
  };
}
