import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ReadResourceRequestSchema,
  type ReadResourceResult,
  type Resource,
} from '@modelcontextprotocol/sdk/types.js';
import { documentText } from '../documents/document-text.js';
import { NotFoundError } from '../errors.js';
import { resolveCaller } from '../identity/resolve-caller.js';
import type { TableSpec } from '../ports/record-store.js';
import {
  DOC_TEMPLATE,
  documentUri,
  parseResourceUri,
  TABLE_TEMPLATE,
  tableUri,
} from './resource-uris.js';
import { RESOURCE_NOT_FOUND, toRpcError } from './rpc-errors.js';
import type { Logger } from '../logger.js';
import type { ServerContent } from './server-content.js';
import { MANAGED_ATTRIBUTES } from '../records/record-rules.js';

/** Documents per resources/list page. */
const PAGE_SIZE = 50;
const TEXT_MIME = 'text/markdown';
const JSON_MIME = 'application/json';

/**
 * Documents as `doc://{source}` (their indexed text) and tables as `table://{alias}` (key
 * schema and access, as JSON). Tables come first, on the first page; documents follow in the
 * store's order, paged with its cursor.
 */
export function registerResources(server: Server, content: ServerContent, logger: Logger): void {
  server.setRequestHandler(ListResourcesRequestSchema, async (request, extra) => {
    try {
      const cursor = request.params?.cursor;
      const service = await content.documents.get();
      const page = await service.listDocuments({
        limit: PAGE_SIZE,
        ...(cursor !== undefined && { cursor }),
        caller: resolveCaller(extra),
      });
      const tables = cursor === undefined ? content.tables.tables.map(tableResource) : [];
      const documents = page.documents.map((d): Resource => ({
        uri: documentUri(d.source),
        name: d.source,
        ...(d.title !== undefined && { title: d.title }),
        description: `Document ${d.source}: ${d.chunks} chunk(s), ingested ${d.ingestedAt}`,
        mimeType: TEXT_MIME,
      }));
      return {
        resources: [...tables, ...documents],
        ...(page.cursor !== undefined && { nextCursor: page.cursor }),
      };
    } catch (error) {
      throw toRpcError(error, logger);
    }
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      {
        uriTemplate: DOC_TEMPLATE,
        name: 'document',
        title: 'Document',
        description:
          'An ingested document as indexed (text, headings), by its source percent-encoded whole (/ as %2F)',
        mimeType: TEXT_MIME,
      },
      {
        uriTemplate: TABLE_TEMPLATE,
        name: 'table',
        title: 'Table',
        description: 'A configured table: its key attributes and whether records may be changed',
        mimeType: JSON_MIME,
      },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const { uri } = request.params;
    try {
      const target = parseResourceUri(uri);
      if (target.kind === 'table') {
        const table = content.tables.tables.find((t) => t.alias === target.alias);
        if (!table) {
          throw new NotFoundError(
            `no table ${JSON.stringify(target.alias)} is configured; the tables are ${content.tables.aliases().join(', ')}`,
          );
        }
        return tableContents(uri, table, content.readOnly);
      }
      const { document, chunks } = await (
        await content.documents.get()
      ).readDocument(target.source, resolveCaller(extra));
      const result: ReadResourceResult = {
        contents: [
          {
            uri,
            mimeType: TEXT_MIME,
            text: documentText(chunks),
            _meta: {
              source: document.source,
              ...(document.title !== undefined && { title: document.title }),
              chunks: document.chunks,
              ingestedAt: document.ingestedAt,
            },
          },
        ],
      };
      return result;
    } catch (error) {
      throw toRpcError(error, logger, RESOURCE_NOT_FOUND);
    }
  });
}

function tableResource(table: TableSpec): Resource {
  return {
    uri: tableUri(table.alias),
    name: table.alias,
    title: `Table ${table.alias}`,
    description: `Key schema and access of the table ${table.alias} (use the record tools on it)`,
    mimeType: JSON_MIME,
  };
}

/** What a model needs to call the record tools: never the physical table name. */
function tableContents(uri: string, table: TableSpec, serverReadOnly: boolean): ReadResourceResult {
  const access = serverReadOnly ? 'read-only' : table.access;
  const description = {
    alias: table.alias,
    partitionKey: table.partitionKey,
    ...(table.sortKey && { sortKey: table.sortKey }),
    access,
    ...(access === 'read-only' && {
      accessReason:
        table.access === 'read-only'
          ? 'the table is configured read-only'
          : 'the server runs read-only (--read-only / MCP_READ_ONLY)',
    }),
    ...(table.scope === 'owner' && { scope: 'owner' }),
    ttlAttribute: table.ttlAttribute,
    managedAttributes: [...MANAGED_ATTRIBUTES],
  };
  return {
    contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(description, null, 2) }],
  };
}
