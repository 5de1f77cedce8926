import { createRequire } from 'node:module';

/** dynalite's generated (PEG.js) expression parsers, as `validations/index.js` calls them. */
interface ExpressionParser {
  parse(this: void, text: string, options: { context: ParseContext }): unknown;
}

interface ParseContext {
  attrNames?: Record<string, unknown>;
  attrVals?: Record<string, unknown>;
  unusedAttrNames?: Record<string, boolean>;
  unusedAttrVals?: Record<string, boolean>;
  isKeyCondition?: boolean;
}

interface Parsed {
  result: unknown;
  /** Names and values the expression used: the parse deletes them from the context's `unused` sets. */
  usedNames: string[];
  usedVals: string[];
}

/** Distinct (expression, names, values) kept; the cache starts over when full. */
const MAX_ENTRIES = 2_000;
/** Longer keys (expressions with large values) are not cached: the cache stays under ~8 MB. */
const MAX_KEY_CHARS = 4_096;
const PARSERS = ['conditionParser', 'updateParser', 'projectionParser'];
const require = createRequire(import.meta.url);
let installed = false;

/**
 * Remembers dynalite's parses of condition, update and projection expressions. dynalite parses
 * every expression of every request with a PEG parser that tries each of DynamoDB's ~570
 * reserved words at each name: about 2 ms per conditional write, most of a write's cost. The
 * same requests repeat (a create is always `attribute_not_exists(#pk)` with the same names), so
 * a parse is looked up by everything it reads: the parser, the text, the attribute names
 * and values, and whether it is a key condition. A hit replays the parse's one effect on the
 * context (the names and values it used are no longer "unused") and returns a copy, so no
 * request can change another's parse. Parse errors are not remembered.
 */
export function cacheDynaliteExpressions(): void {
  if (installed) return;
  installed = true;
  for (const name of PARSERS) {
    const parser = require(`dynalite/db/${name}.js`) as ExpressionParser;
    const parse = parser.parse;
    const cache = new Map<string, Parsed>();
    parser.parse = (text, options) => {
      const context = options.context;
      const key = JSON.stringify([
        text,
        context.attrNames ?? null,
        context.attrVals ?? null,
        context.isKeyCondition === true,
      ]);
      // Requests carrying large values (a record's text) are parsed as they come, not kept.
      if (key.length > MAX_KEY_CHARS) return parse(text, options);
      let parsed = cache.get(key);
      if (!parsed) {
        // Parsed against every name and value unused, so what it used does not depend on the
        // expressions of the request parsed before it.
        const probe = {
          ...context,
          unusedAttrNames: allOf(context.attrNames),
          unusedAttrVals: allOf(context.attrVals),
        };
        const result = parse(text, { ...options, context: probe });
        parsed = {
          result: copy(result),
          usedNames: Object.keys(context.attrNames ?? {}).filter(
            (n) => !(n in probe.unusedAttrNames),
          ),
          usedVals: Object.keys(context.attrVals ?? {}).filter((v) => !(v in probe.unusedAttrVals)),
        };
        if (cache.size >= MAX_ENTRIES) cache.clear();
        cache.set(key, parsed);
      }
      for (const n of parsed.usedNames) delete context.unusedAttrNames?.[n];
      for (const v of parsed.usedVals) delete context.unusedAttrVals?.[v];
      return copy(parsed.result);
    };
  }
}

function allOf(record: Record<string, unknown> | undefined): Record<string, boolean> {
  return Object.fromEntries(Object.keys(record ?? {}).map((k) => [k, true]));
}

/** A deep copy that keeps each object's kind (array, plain, or null-prototype as dynalite makes). */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (value === null || typeof value !== 'object') return value;
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== null && proto !== Object.prototype) return value; // Buffers and the like: not parse output
  const out = (proto === null ? Object.create(null) : {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) out[k] = copy(v);
  return out;
}
