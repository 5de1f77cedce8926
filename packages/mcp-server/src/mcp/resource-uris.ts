import { ValidationError } from '../errors.js';

/**
 * Resource URIs. A document's source may hold `/`, spaces and any other character, so it is
 * percent-encoded whole (`/` included) into one segment: `doc://guides%2Fsetup%20notes.md`.
 */
export const DOC_SCHEME = 'doc://';
export const TABLE_SCHEME = 'table://';
export const DOC_TEMPLATE = `${DOC_SCHEME}{source}`;
export const TABLE_TEMPLATE = `${TABLE_SCHEME}{alias}`;

export function documentUri(source: string): string {
  return DOC_SCHEME + encodeURIComponent(source);
}

export function tableUri(alias: string): string {
  return TABLE_SCHEME + encodeURIComponent(alias);
}

export type ParsedResourceUri =
  { kind: 'document'; source: string } | { kind: 'table'; alias: string };

/** The document or table a URI names; a malformed one is a ValidationError saying the forms. */
export function parseResourceUri(uri: string): ParsedResourceUri {
  for (const [scheme, kind] of [
    [DOC_SCHEME, 'document'],
    [TABLE_SCHEME, 'table'],
  ] as const) {
    if (!uri.startsWith(scheme)) continue;
    let name: string;
    try {
      name = decodeURIComponent(uri.slice(scheme.length));
    } catch {
      throw new ValidationError(
        `uri: ${JSON.stringify(uri.slice(0, 200))} has a malformed percent-escape; percent-encode the name with encodeURIComponent`,
      );
    }
    if (name === '') break;
    return kind === 'document' ? { kind, source: name } : { kind, alias: name };
  }
  throw new ValidationError(
    `uri: ${JSON.stringify(uri.slice(0, 200))} is not a resource of this server; use ${DOC_TEMPLATE} or ${TABLE_TEMPLATE} with the name percent-encoded, or call resources/list`,
  );
}
