/**
 * Query evaluation for the fake OpenSearch server: the query DSL subset the adapter uses, computed
 * for real over the documents a search can see. k-NN is brute-force cosine scored as OpenSearch
 * scores `cosinesimil`, (1 + cos) / 2; match and multi_match are BM25 (k1 1.2, b 0.75) over a
 * simple analyzer (lowercase, letters and digits, English stop words and plural endings).
 */
import { valueAt, type Doc, type FakeIndex } from './fake-opensearch-index.js';

export class QueryError extends Error {}

type Query = Record<string, unknown>;
type Scored = Map<string, number>;

const K1 = 1.2;
const B = 0.75;
const STOP_WORDS = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(
    ' ',
  ),
);

export function analyze(text: string, analyzer: string | undefined): string[] {
  const tokens = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (analyzer !== 'english') return tokens;
  return tokens.filter((token) => !STOP_WORDS.has(token)).map(stem);
}

function stem(token: string): string {
  if (token.length > 4 && token.endsWith('ies')) return `${token.slice(0, -3)}y`;
  if (token.length > 3 && token.endsWith('es') && /(s|x|z|ch|sh)es$/.test(token))
    return token.slice(0, -2);
  if (token.length > 3 && token.endsWith('s') && !token.endsWith('ss')) return token.slice(0, -1);
  return token;
}

/** Evaluates `query` over the index's visible documents: id → score for every match. */
export function evaluate(index: FakeIndex, query: Query | undefined): Scored {
  const docs = index.visible;
  if (!query || Object.keys(query).length === 0)
    return new Map([...docs.keys()].map((id) => [id, 1]));
  const [type, spec] = single(query);
  switch (type) {
    case 'match_all':
      return new Map([...docs.keys()].map((id) => [id, 1]));
    case 'bool':
      return evaluateBool(index, spec as Query);
    case 'exists': {
      const field = (spec as { field: string }).field;
      // A field that is not mapped (dynamic: false) is stored but not indexed: never found.
      if (!index.mapping(field)) return new Map();
      return filterDocs(docs, (doc) => {
        const value = valueAt(doc, field);
        return (
          value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)
        );
      });
    }
    case 'term':
    case 'terms':
    case 'range':
      return filterDocs(docs, (doc) => matchesFilter(index, type, spec as Query, doc));
    case 'match': {
      const [field, options] = single(spec as Query);
      const text = typeof options === 'object' ? (options as Query).query : options;
      return bm25(index, [{ field, boost: 1 }], String(text));
    }
    case 'multi_match': {
      const { query: text, fields } = spec as { query: string; fields: string[] };
      const parsed = fields.map((entry) => {
        const [field, boost] = entry.split('^');
        return { field: field as string, boost: boost ? Number(boost) : 1 };
      });
      return bm25(index, parsed, text);
    }
    case 'knn':
      return knn(index, spec as Query);
    default:
      throw new QueryError(`unknown query [${type}]`);
  }
}

function evaluateBool(index: FakeIndex, spec: Query): Scored {
  const list = (value: unknown): Query[] =>
    (value === undefined ? [] : Array.isArray(value) ? value : [value]) as Query[];
  const must = list(spec.must).map((q) => evaluate(index, q));
  const should = list(spec.should).map((q) => evaluate(index, q));
  const filter = list(spec.filter).map((q) => evaluate(index, q));
  const mustNot = list(spec.must_not).map((q) => evaluate(index, q));
  const required = [...must, ...filter];
  const minimumShould =
    typeof spec.minimum_should_match === 'number'
      ? spec.minimum_should_match
      : required.length === 0 && should.length > 0
        ? 1
        : 0;
  const result: Scored = new Map();
  for (const id of index.visible.keys()) {
    if (!required.every((scores) => scores.has(id)) || mustNot.some((scores) => scores.has(id)))
      continue;
    const matchedShould = should.filter((scores) => scores.has(id));
    if (matchedShould.length < minimumShould) continue;
    let score = 0;
    for (const scores of [...must, ...matchedShould]) score += scores.get(id) ?? 0;
    // A bool with only filters scores 0 for every hit, as in OpenSearch.
    result.set(id, score);
  }
  return result;
}

function matchesFilter(index: FakeIndex, type: string, spec: Query, doc: Doc): boolean {
  const [field, condition] = single(spec);
  const value = valueAt(doc, field);
  if (value === undefined || value === null) return false;
  // Stored but not indexed (not mapped under dynamic: false): a real node finds nothing by it.
  if (!index.mapping(field)) return false;
  // A field holding a list (of keywords) matches when any of its values does, as in OpenSearch.
  if (Array.isArray(value) && index.mapping(field)?.type !== 'knn_vector')
    return value.some((one) =>
      matchesFilter(index, type, { [field]: condition }, { [field]: one }),
    );
  const kind = index.mapping(field)?.type ?? 'keyword';
  if (type === 'term') {
    const wanted =
      typeof condition === 'object' && condition !== null ? (condition as Query).value : condition;
    return sameTerm(kind, value, wanted);
  }
  if (type === 'terms')
    return (condition as unknown[]).some((wanted) => sameTerm(kind, value, wanted));
  const bounds = condition as { gt?: unknown; gte?: unknown; lt?: unknown; lte?: unknown };
  const cmp = (bound: unknown): number => compare(kind, value, bound);
  return (
    (bounds.gt === undefined || cmp(bounds.gt) > 0) &&
    (bounds.gte === undefined || cmp(bounds.gte) >= 0) &&
    (bounds.lt === undefined || cmp(bounds.lt) < 0) &&
    (bounds.lte === undefined || cmp(bounds.lte) <= 0)
  );
}

function sameTerm(kind: string, value: unknown, wanted: unknown): boolean {
  if (kind === 'text') return false; // term on an analyzed field matches tokens, which we do not need
  if (kind === 'boolean') return String(value) === String(wanted);
  if (kind === 'keyword') return String(value) === String(wanted);
  return Number(value) === Number(wanted);
}

export function compare(kind: string, a: unknown, b: unknown): number {
  if (kind === 'keyword' || typeof a === 'string') {
    const [x, y] = [String(a), String(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return Number(a) - Number(b);
}

function bm25(index: FakeIndex, fields: { field: string; boost: number }[], text: string): Scored {
  const result: Scored = new Map();
  for (const { field, boost } of fields) {
    const analyzer = index.mapping(field)?.analyzer;
    const terms = analyze(text, analyzer);
    const lengths = new Map<string, string[]>();
    for (const [id, doc] of index.visible) {
      const value = valueAt(doc, field);
      if (typeof value === 'string') lengths.set(id, analyze(value, analyzer));
    }
    const count = lengths.size;
    if (count === 0 || terms.length === 0) continue;
    let total = 0;
    for (const tokens of lengths.values()) total += tokens.length;
    const average = total / count;
    for (const [id, tokens] of lengths) {
      let score = 0;
      for (const term of terms) {
        const tf = tokens.filter((token) => token === term).length;
        if (tf === 0) continue;
        let df = 0;
        for (const other of lengths.values()) if (other.includes(term)) df++;
        const idf = Math.log(1 + (count - df + 0.5) / (df + 0.5));
        score += (idf * (tf * (K1 + 1))) / (tf + K1 * (1 - B + (B * tokens.length) / average));
      }
      // multi_match best_fields: the best field wins (tie_breaker 0).
      if (score > 0) result.set(id, Math.max(result.get(id) ?? 0, score * boost));
    }
  }
  return result;
}

function knn(index: FakeIndex, spec: Query): Scored {
  const [field, options] = single(spec);
  const { vector, k, filter } = options as { vector: number[]; k: number; filter?: Query };
  const mapping = index.mapping(field);
  if (mapping?.type !== 'knn_vector')
    throw new QueryError(`field [${field}] is not a knn_vector field`);
  if (vector.length !== mapping.dimension) {
    throw new QueryError(
      `Query vector has invalid dimension: ${vector.length}. Dimension should be: ${String(mapping.dimension)}`,
    );
  }
  const allowed = filter ? evaluate(index, filter) : undefined;
  const scored: [string, number][] = [];
  for (const [id, doc] of index.visible) {
    if (allowed && !allowed.has(id)) continue;
    const stored = valueAt(doc, field);
    if (!Array.isArray(stored)) continue;
    scored.push([id, Math.max((1 + cosine(vector, stored as number[])) / 2, 0)]);
  }
  scored.sort((a, b) => b[1] - a[1]);
  return new Map(scored.slice(0, k));
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function filterDocs(docs: Map<string, Doc>, keep: (doc: Doc) => boolean): Scored {
  const result: Scored = new Map();
  for (const [id, doc] of docs) if (keep(doc)) result.set(id, 1);
  return result;
}

function single(object: Query): [string, unknown] {
  const entries = Object.entries(object);
  if (entries.length !== 1)
    throw new QueryError(`expected one key, got [${Object.keys(object).join(', ')}]`);
  return entries[0] as [string, unknown];
}
