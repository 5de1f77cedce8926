import { ValidationError } from '../errors.js';
import { accessPrincipals, type DocumentAccess } from './document-access.js';
import { checkName, checkWellFormed } from '../identifiers.js';
import type { SearchFilter, SearchMode } from '../ports/vector-store.js';
import { checkContent } from './content-checks.js';
import { parseContentType, type ContentType } from './content-type.js';

export type MetadataValue = string | number | boolean;

/** A document to ingest, as a tool or the CLI hands it over. */
export interface IngestInput {
  /** The document's stable name: a path, URL or id. Ingesting the same source replaces it. */
  source: string;
  /** Text, or UTF-8 bytes (read from a file). */
  content: string | Uint8Array;
  /** text/markdown, text/html or text/plain (parameters such as charset are accepted). */
  contentType: string;
  title?: string;
  /** Copied to every chunk; searchable with exact-match filters. */
  metadata?: Record<string, MetadataValue>;
  /** Who may read it; absent: everyone. */
  access?: DocumentAccess;
}

/** An ingest input that passed every check. */
export interface ValidIngest {
  source: string;
  content: string;
  contentType: ContentType;
  title?: string;
  metadata: Record<string, MetadataValue>;
  /** Who may read it, as principals (`accessPrincipals`). */
  access: string[];
}

export interface SearchInput {
  query: string;
  /** 1-20 for the search tool; default 5. */
  limit?: number;
  /** Drop hits scoring below this, in [0, 1]. */
  threshold?: number;
  mode?: SearchMode;
  filter?: SearchFilter;
}

const MAX_SOURCE_CHARS = 1_024;
const MAX_TITLE_CHARS = 1_000;
const MAX_QUERY_CHARS = 2_000;
const MAX_METADATA_FIELDS = 32;
const MAX_METADATA_VALUE_CHARS = 1_000;
const METADATA_KEY = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
const MODES: readonly SearchMode[] = ['hybrid', 'vector', 'keyword'];

export function checkIngest(input: IngestInput, path = ''): ValidIngest {
  if (typeof input !== 'object' || input === null)
    throw new ValidationError(`${path || 'input'}: must be an object`);
  const source = checkSource(input.source, `${path}source`);
  const contentType = parseContentType(input.contentType, `${path}contentType`);
  const title = input.title === undefined ? undefined : checkTitle(input.title, `${path}title`);
  const metadata = checkMetadata(input.metadata ?? {}, `${path}metadata`);
  const access = accessPrincipals(input.access, `${path}access`);
  const content = checkContent(input.content, `${path}content`);
  return { source, content, contentType, ...(title !== undefined && { title }), metadata, access };
}

export function checkSource(value: unknown, field = 'source'): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(
      `${field}: must be a non-empty string naming the document, such as docs/setup.md`,
    );
  }
  if (value.length > MAX_SOURCE_CHARS) {
    throw new ValidationError(
      `${field}: is ${value.length} characters long; the limit is ${MAX_SOURCE_CHARS}`,
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001F\u007F]/.test(value)) {
    throw new ValidationError(`${field}: must not contain control characters such as line breaks`);
  }
  // Stores keep UTF-8: a lone surrogate would become U+FFFD and name another document.
  return checkWellFormed(value, field);
}

function checkTitle(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string') throw new ValidationError(`${field}: must be a string`);
  const title = value.replace(/\s+/g, ' ').trim();
  if (title.length > MAX_TITLE_CHARS) {
    throw new ValidationError(
      `${field}: is ${title.length} characters long; the limit is ${MAX_TITLE_CHARS}`,
    );
  }
  return title || undefined;
}

export function checkMetadata(value: unknown, field: string): Record<string, MetadataValue> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(`${field}: must be an object of strings, numbers and booleans`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_METADATA_FIELDS) {
    throw new ValidationError(
      `${field}: has ${entries.length} fields; the limit is ${MAX_METADATA_FIELDS}`,
    );
  }
  const result: Record<string, MetadataValue> = {};
  for (const [key, v] of entries) {
    checkName(key, `${field}: key ${JSON.stringify(key)}`);
    if (!METADATA_KEY.test(key)) {
      throw new ValidationError(
        `${field}: key ${JSON.stringify(key)} must start with a letter or _ and use only letters, digits and _ . : - (at most 64)`,
      );
    }
    if (typeof v === 'string') {
      if (v.length > MAX_METADATA_VALUE_CHARS) {
        throw new ValidationError(
          `${field}.${key}: is longer than ${MAX_METADATA_VALUE_CHARS} characters`,
        );
      }
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v))
        throw new ValidationError(`${field}.${key}: must be a finite number`);
    } else if (typeof v !== 'boolean') {
      throw new ValidationError(`${field}.${key}: must be a string, number or boolean`);
    }
    result[key] = v;
  }
  return result;
}

/** A search input with defaults applied; `maxLimit` is 20 for the tool, larger for internal use. */
export function checkSearch(
  input: SearchInput,
  maxLimit: number,
): Required<Pick<SearchInput, 'query' | 'limit' | 'mode'>> &
  Pick<SearchInput, 'threshold' | 'filter'> {
  const { query, limit = 5, threshold, mode = 'hybrid', filter } = input;
  if (typeof query !== 'string' || query.trim() === '') {
    throw new ValidationError(
      'query: is empty; say what to search for, e.g. "how do I rotate API keys"',
    );
  }
  if (query.length > MAX_QUERY_CHARS) {
    throw new ValidationError(
      `query: is ${query.length} characters long; the limit is ${MAX_QUERY_CHARS}; keep the key words`,
    );
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw new ValidationError(`limit: must be an integer from 1 to ${maxLimit}`);
  }
  if (
    threshold !== undefined &&
    !(typeof threshold === 'number' && threshold >= 0 && threshold <= 1)
  ) {
    throw new ValidationError('threshold: must be a number from 0 to 1 (scores are in [0, 1])');
  }
  if (!MODES.includes(mode)) throw new ValidationError(`mode: must be one of ${MODES.join(', ')}`);
  return {
    query,
    limit,
    mode,
    ...(threshold !== undefined && { threshold }),
    ...(filter && { filter: checkFilter(filter) }),
  };
}

function checkFilter(filter: SearchFilter): SearchFilter {
  if (typeof filter !== 'object' || filter === null)
    throw new ValidationError('filter: must be an object');
  return {
    ...(filter.source !== undefined && { source: checkSource(filter.source, 'filter.source') }),
    ...(filter.metadata !== undefined && {
      metadata: checkMetadata(filter.metadata, 'filter.metadata'),
    }),
  };
}
