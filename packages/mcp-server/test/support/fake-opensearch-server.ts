/**
 * A FAKE OpenSearch server for tests: node:http on 127.0.0.1 speaking the REST subset the adapter
 * uses (index create/exists/mapping, _bulk, _search, _count, _refresh, _delete_by_query, _doc).
 * Results are computed in memory (see fake-opensearch-query.ts), never canned. Every request is
 * recorded so tests can check signing headers and bulk bodies.
 */
import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeIndex, MappingError, valueAt, type Doc } from './fake-opensearch-index.js';
import { compare, evaluate, QueryError } from './fake-opensearch-query.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeOpenSearchOptions {
  /** Refuse `_id` on index/create actions, as Serverless vector collections do. */
  rejectCustomIds?: boolean;
}

export interface FakeOpenSearchServer {
  url: string;
  requests: RecordedRequest[];
  indexes: Map<string, FakeIndex>;
  /** Return a reason to fail one bulk index/create item, as a mapping error would. */
  rejectWrite?: (index: string, doc: Doc) => string | undefined;
  /** Return a status and error type to fail a whole request, e.g. [403, 'security_exception']. */
  failRequest?: (request: RecordedRequest) => [number, string] | undefined;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    reason: string,
  ) {
    super(reason);
  }
}

export async function startFakeOpenSearchServer(
  options: FakeOpenSearchOptions = {},
): Promise<FakeOpenSearchServer> {
  const state: FakeOpenSearchServer = {
    url: '',
    requests: [],
    indexes: new Map(),
    close: () => Promise.resolve(),
  };

  const handle = (request: RecordedRequest): [number, unknown] => {
    const parts = request.path.split('/').filter(Boolean).map(decodeURIComponent);
    const [first, second, third] = parts;
    const method = request.method;
    if (parts.length === 0)
      return [200, { version: { distribution: 'opensearch', number: '2.19.0' }, tagline: 'fake' }];
    if (first === '_bulk') return [200, bulk(undefined, request)];
    if (first === '_refresh') return [200, refresh([...state.indexes.keys()])];
    if (parts.length === 1 && first) {
      if (method === 'HEAD') return [state.indexes.has(first) ? 200 : 404, ''];
      if (method === 'PUT') return [200, createIndex(first, request.body)];
      if (method === 'DELETE') {
        requireIndex(first);
        state.indexes.delete(first);
        return [200, { acknowledged: true }];
      }
    }
    if (!first) throw new HttpError(400, 'illegal_argument_exception', 'no index');
    switch (second) {
      case '_mapping':
        // PUT or POST <index>/_mapping adds fields (the client sends POST).
        if (method === 'PUT' || method === 'POST') {
          try {
            requireIndex(first).putMapping(parseJson(request.body) as Doc);
          } catch (error) {
            if (error instanceof MappingError)
              throw new HttpError(400, 'illegal_argument_exception', error.message);
            throw error;
          }
          return [200, { acknowledged: true }];
        }
        return [200, { [first]: { mappings: requireIndex(first).mappings } }];
      case '_bulk':
        return [200, bulk(first, request)];
      case '_search':
        return [200, search(first, parseJson(request.body))];
      case '_count':
        return [
          200,
          {
            count: evaluate(requireIndex(first), (parseJson(request.body) as Doc).query as Doc)
              .size,
          },
        ];
      case '_refresh':
        return [200, refresh(first.split(','))];
      case '_delete_by_query':
        return [200, deleteByQuery(first, request)];
      case '_doc':
        return doc(first, third, request);
      default:
        throw new HttpError(
          400,
          'illegal_argument_exception',
          `no handler found for uri [${request.path}] and method [${method}]`,
        );
    }
  };

  const requireIndex = (name: string): FakeIndex => {
    const index = state.indexes.get(name);
    if (!index) throw new HttpError(404, 'index_not_found_exception', `no such index [${name}]`);
    return index;
  };

  const createIndex = (name: string, body: string): unknown => {
    if (state.indexes.has(name)) {
      throw new HttpError(
        400,
        'resource_already_exists_exception',
        `index [${name}] already exists`,
      );
    }
    const spec = parseJson(body || '{}') as { settings?: Doc; mappings?: Doc };
    state.indexes.set(name, new FakeIndex(name, spec.settings ?? {}, spec.mappings ?? {}));
    return { acknowledged: true, shards_acknowledged: true, index: name };
  };

  const refresh = (names: string[]): unknown => {
    for (const name of names) requireIndex(name).refresh();
    return { _shards: { total: names.length, successful: names.length, failed: 0 } };
  };

  const bulk = (defaultIndex: string | undefined, request: RecordedRequest): unknown => {
    const lines = request.body.split('\n').filter((line) => line.trim() !== '');
    const items: unknown[] = [];
    const touched = new Set<string>();
    for (let i = 0; i < lines.length; i++) {
      const action = parseJson(lines[i] as string) as Record<
        string,
        { _index?: string; _id?: string }
      >;
      const [op, meta] = Object.entries(action)[0] ?? [];
      if (!op || !meta)
        throw new HttpError(400, 'illegal_argument_exception', 'Malformed action/metadata line');
      const name = meta._index ?? defaultIndex;
      const source = op === 'delete' ? undefined : (parseJson(lines[++i] ?? '') as Doc);
      items.push({ [op]: bulkItem(op, name, meta._id, source) });
      if (name) touched.add(name);
    }
    if (['true', 'wait_for', ''].includes(request.query.refresh ?? 'false'))
      refresh([...touched].filter((n) => state.indexes.has(n)));
    const errors = items.some((item) =>
      Object.values(item as Doc).some((r) => (r as { status: number }).status >= 300),
    );
    return { took: 1, errors, items };
  };

  const bulkItem = (
    op: string,
    name: string | undefined,
    id: string | undefined,
    source: Doc | undefined,
  ): unknown => {
    const failure = (status: number, type: string, reason: string) => ({
      _index: name,
      _id: id,
      status,
      error: { type, reason, index: name },
    });
    const index = name ? state.indexes.get(name) : undefined;
    if (!name || !index)
      return failure(404, 'index_not_found_exception', `no such index [${name ?? ''}]`);
    if (op === 'delete') {
      const existed = id !== undefined && index.live.delete(id);
      return {
        _index: name,
        _id: id,
        result: existed ? 'deleted' : 'not_found',
        status: existed ? 200 : 404,
      };
    }
    if (op !== 'index' && op !== 'create')
      return failure(400, 'illegal_argument_exception', `unsupported action [${op}]`);
    if (id !== undefined && options.rejectCustomIds) {
      return failure(
        400,
        'illegal_argument_exception',
        'Document ID is not supported in create/index operation request',
      );
    }
    const docId = id ?? randomBytes(15).toString('base64url');
    if (op === 'create' && index.live.has(docId))
      return failure(409, 'version_conflict_engine_exception', 'document already exists');
    const rejected = state.rejectWrite?.(name, source ?? {});
    if (rejected) return failure(400, 'mapper_parsing_exception', rejected);
    try {
      const existed = index.live.has(docId);
      index.put(docId, source ?? {});
      return {
        _index: name,
        _id: docId,
        result: existed ? 'updated' : 'created',
        status: existed ? 200 : 201,
      };
    } catch (error) {
      if (error instanceof MappingError)
        return failure(400, 'mapper_parsing_exception', error.message);
      throw error;
    }
  };

  const search = (name: string, body: unknown): unknown => {
    const index = requireIndex(name);
    const spec = (body ?? {}) as {
      query?: Doc;
      size?: number;
      from?: number;
      sort?: unknown[];
      search_after?: unknown[];
      min_score?: number;
      _source?: unknown;
    };
    const scores = evaluate(index, spec.query);
    let hits = [...scores].map(([id, score]) => ({ id, score, doc: index.visible.get(id) as Doc }));
    if (spec.min_score !== undefined)
      hits = hits.filter((hit) => hit.score >= (spec.min_score as number));
    const sort = (spec.sort ?? []).map(parseSort);
    const sortValues = (hit: (typeof hits)[number]) =>
      sort.map(({ field }) => (field === '_score' ? hit.score : valueAt(hit.doc, field)));
    const order = (a: unknown[], b: unknown[]): number => {
      for (const [i, { field, desc }] of sort.entries()) {
        const kind = index.mapping(field)?.type ?? 'float';
        const c = compare(kind, a[i], b[i]);
        if (c !== 0) return desc ? -c : c;
      }
      return 0;
    };
    if (sort.length > 0) {
      hits.sort((a, b) => order(sortValues(a), sortValues(b)));
      if (spec.search_after)
        hits = hits.filter((hit) => order(sortValues(hit), spec.search_after as unknown[]) > 0);
    } else {
      hits.sort((a, b) => b.score - a.score);
    }
    const from = spec.from ?? 0;
    const page = hits.slice(from, from + (spec.size ?? 10));
    const sorted = sort.length > 0 && !sort.some((s) => s.field === '_score');
    return {
      took: 1,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: hits.length, relation: 'eq' },
        max_score: sorted ? null : (page[0]?.score ?? null),
        hits: page.map((hit) => ({
          _index: name,
          _id: hit.id,
          _score: sorted ? null : hit.score,
          ...(spec._source !== false && { _source: filterSource(hit.doc, spec._source) }),
          ...(sort.length > 0 && { sort: sortValues(hit) }),
        })),
      },
    };
  };

  const deleteByQuery = (name: string, request: RecordedRequest): unknown => {
    const index = requireIndex(name);
    const matched = evaluate(index, (parseJson(request.body) as Doc).query as Doc);
    for (const id of matched.keys()) index.live.delete(id);
    if (request.query.refresh === 'true') index.refresh();
    return { took: 1, deleted: matched.size, total: matched.size, failures: [] };
  };

  const doc = (
    name: string,
    id: string | undefined,
    request: RecordedRequest,
  ): [number, unknown] => {
    const index = requireIndex(name);
    if (request.method === 'POST' && id === undefined) {
      return [201, bulkItem('index', name, undefined, parseJson(request.body) as Doc)];
    }
    if (id === undefined) throw new HttpError(400, 'illegal_argument_exception', 'missing id');
    if (request.method === 'GET') {
      const found = index.live.get(id);
      return [
        found ? 200 : 404,
        { _index: name, _id: id, found: Boolean(found), ...(found && { _source: found }) },
      ];
    }
    if (request.method === 'PUT')
      return [201, bulkItem('index', name, id, parseJson(request.body) as Doc)];
    if (request.method === 'DELETE') {
      const existed = index.live.delete(id);
      return [
        existed ? 200 : 404,
        { _index: name, _id: id, result: existed ? 'deleted' : 'not_found' },
      ];
    }
    throw new HttpError(405, 'method_not_allowed', `method [${request.method}] not allowed`);
  };

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      };
      state.requests.push(recorded);
      try {
        const forced = state.failRequest?.(recorded);
        if (forced)
          throw new HttpError(forced[0], forced[1], `${forced[1]} (injected by the test)`);
        const [status, payload] = handle(recorded);
        send(res, status, recorded.method === 'HEAD' ? '' : payload);
      } catch (error) {
        const failure =
          error instanceof HttpError
            ? error
            : error instanceof QueryError || error instanceof SyntaxError
              ? new HttpError(
                  400,
                  error instanceof QueryError ? 'parsing_exception' : 'json_parse_exception',
                  error.message,
                )
              : new HttpError(500, 'exception', String(error));
        send(res, failure.status, {
          error: {
            root_cause: [{ type: failure.type, reason: failure.message }],
            type: failure.type,
            reason: failure.message,
          },
          status: failure.status,
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  return state;
}

function parseSort(entry: unknown): { field: string; desc: boolean } {
  if (typeof entry === 'string') return { field: entry, desc: entry === '_score' };
  const [field, spec] = Object.entries(entry as Doc)[0] as [string, unknown];
  const order = typeof spec === 'string' ? spec : (spec as { order?: string }).order;
  return { field, desc: order === undefined ? field === '_score' : order === 'desc' };
}

function filterSource(doc: Doc, spec: unknown): Doc {
  if (spec === undefined || spec === true) return doc;
  const { includes, excludes } = Array.isArray(spec)
    ? { includes: spec as string[], excludes: [] }
    : (spec as { includes?: string[]; excludes?: string[] });
  const copy: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    if (excludes?.includes(key)) continue;
    if (includes && includes.length > 0 && !includes.includes(key)) continue;
    copy[key] = value;
  }
  return copy;
}

function parseJson(text: string): unknown {
  return text.trim() === '' ? {} : JSON.parse(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
