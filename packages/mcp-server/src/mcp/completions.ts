import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CompleteRequestSchema, type CompleteResult } from '@modelcontextprotocol/sdk/types.js';
import { resolveCaller, type RequestFacts } from '../identity/resolve-caller.js';
import type { Logger } from '../logger.js';
import { DOC_TEMPLATE, TABLE_TEMPLATE } from './resource-uris.js';
import { toRpcError } from './rpc-errors.js';
import type { ServerContent } from './server-content.js';

/** The spec's ceiling on values per completion. */
const MAX_VALUES = 100;
/** Documents looked at per completion: a prefix search must stay cheap on a large index. */
const MAX_SCANNED = 5_000;
const SCAN_PAGE = 100;

const NONE: CompleteResult = { completion: { values: [], hasMore: false } };

/**
 * `completion/complete` for document sources (the `source` argument of summarize_document and
 * the `doc://{source}` template) and table aliases (any `table` argument and the
 * `table://{alias}` template). Matching is by prefix, ignoring case. A prompt or resource
 * template this server does not have gets no values (the spec lets a server answer -32602
 * there; the conformance suite asks any server for a prompt of its own fixtures and expects a
 * completion, possibly empty, and an empty list reveals nothing). Malformed params are -32602.
 */
export function registerCompletions(server: Server, content: ServerContent, logger: Logger): void {
  server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
    const { ref, argument } = request.params;
    const kind = completionKind(ref, argument.name);
    try {
      if (kind === 'table') return complete(content.tables.aliases(), argument.value);
      if (kind === 'source') return await completeSources(content, argument.value, extra);
      return NONE;
    } catch (error) {
      throw toRpcError(error, logger);
    }
  });
}

function completionKind(
  ref: { type: string; name?: string; uri?: string },
  argument: string,
): 'table' | 'source' | undefined {
  if (ref.type === 'ref/resource') {
    if (ref.uri === DOC_TEMPLATE && argument === 'source') return 'source';
    if (ref.uri === TABLE_TEMPLATE && argument === 'alias') return 'table';
    return undefined;
  }
  if (argument === 'table') return 'table';
  if (ref.name === 'summarize_document' && argument === 'source') return 'source';
  return undefined;
}

function complete(candidates: readonly string[], prefix: string): CompleteResult {
  const wanted = prefix.toLowerCase();
  const matches = candidates.filter((c) => c.toLowerCase().startsWith(wanted));
  return {
    completion: {
      values: matches.slice(0, MAX_VALUES),
      total: matches.length,
      hasMore: matches.length > MAX_VALUES,
    },
  };
}

/** Only sources the caller may read: a completion must not name a document they cannot see. */
async function completeSources(
  content: ServerContent,
  prefix: string,
  request: RequestFacts,
): Promise<CompleteResult> {
  const caller = resolveCaller(request);
  const service = await content.documents.get();
  const wanted = prefix.toLowerCase();
  const matches: string[] = [];
  let scanned = 0;
  let cursor: string | undefined;
  do {
    const page = await service.listDocuments({
      limit: SCAN_PAGE,
      ...(cursor !== undefined && { cursor }),
      caller,
    });
    for (const d of page.documents)
      if (d.source.toLowerCase().startsWith(wanted)) matches.push(d.source);
    scanned += page.documents.length;
    cursor = page.cursor;
  } while (cursor !== undefined && scanned < MAX_SCANNED && matches.length <= MAX_VALUES);
  const complete = cursor === undefined;
  return {
    completion: {
      values: matches.slice(0, MAX_VALUES),
      ...(complete && { total: matches.length }),
      hasMore: !complete || matches.length > MAX_VALUES,
    },
  };
}
