import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { TEXT_FILE_TYPES, type DocumentFileType } from 'chatbot-mcp-server/document-files';
import { DEFAULT_UPLOAD_MAX_BYTES, type LocalServerConfig } from '../../config.js';
import { groupRefusal, inGroups } from '../../engine/tool-permissions.js';
import type { Identity } from '../../ports/session-store.js';
import { callerOf, type ToolClient } from '../../ports/tool-client.js';
import { SECURITY_HEADERS } from './static-files.js';
import { checkOrigin, presentedToken, tokenMatches } from './upgrade-guards.js';

/** What the MCP server's ingest_document accepts, by file extension; PDF is read to text here. */
const TYPES: Readonly<Record<string, DocumentFileType | 'application/pdf'>> = {
  ...TEXT_FILE_TYPES,
  '.pdf': 'application/pdf',
};

export type UploadOutcome = 'added' | 'replaced' | 'unchanged';

export interface UploadDeps {
  config: Pick<LocalServerConfig, 'allowedOrigins' | 'authToken' | 'upload' | 'uploadMaxBytes'>;
  reachable: () => ReadonlySet<string>;
  tools: Pick<ToolClient, 'callTool' | 'readDocument'>;
  pdfToText: (data: Uint8Array) => Promise<{ text: string; title?: string }>;
  /** CHAT_UPLOAD_GROUPS: only their members upload. None: whoever may connect. */
  groups?: readonly string[];
  /** Sign-in is on (CHAT_OIDC_ISSUER): an upload needs a signed-in `identity`. */
  signInRequired?: boolean;
  /** Who sent this request (the session cookie or bearer token), when signed in. */
  identity?: Identity;
}

/**
 * `POST /upload?name=<file name>`: one file as the request body, ingested as the document
 * `<file name>`. The same checks as the WebSocket upgrade (Origin, CHAT_AUTH_TOKEN), then
 * CHAT_UPLOAD and CHAT_UPLOAD_MAX_BYTES. Answers JSON: `{source, outcome, chunks}` or
 * `{error}` saying what was wrong and what to do.
 */
export async function answerUpload(
  req: IncomingMessage,
  res: ServerResponse,
  deps: UploadDeps,
): Promise<void> {
  const reply = (status: number, body: Record<string, unknown>): void => {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': 'application/json',
      'cache-control': 'no-store',
      ...(status >= 400 && { connection: 'close' }),
    });
    res.end(JSON.stringify(body));
  };
  const { config } = deps;
  if (req.method !== 'POST')
    return reply(405, { error: 'POST the file to /upload?name=<file name>' });
  const origin = checkOrigin(req, config.allowedOrigins, deps.reachable);
  if (!origin.ok) return reply(403, { error: `This page cannot upload: ${origin.reason}.` });
  if (config.authToken && !tokenMatches(presentedToken(req), config.authToken))
    return reply(401, {
      error: 'Send the access token (CHAT_AUTH_TOKEN) as Authorization: Bearer.',
    });
  if (deps.signInRequired && !deps.identity)
    return reply(401, { error: 'Sign in first (/auth/login): uploads need a signed-in user.' });
  if (config.upload === 'off')
    return reply(403, { error: 'Uploads are turned off on this gateway (CHAT_UPLOAD=off).' });
  if (deps.groups && !inGroups(deps.identity, deps.groups))
    return reply(403, {
      error: groupRefusal('Uploading documents', 'CHAT_UPLOAD_GROUPS', deps.groups),
    });
  const name = (new URL(req.url ?? '/', 'http://x').searchParams.get('name') ?? '').trim();
  if (!name || name.length > 255 || hasControlCharacter(name))
    return reply(400, { error: 'name: give the file name (1-255 characters) as ?name=' });
  const type = TYPES[extname(name).toLowerCase()];
  if (!type)
    return reply(415, {
      error: `${name}: only Markdown (.md), text (.txt), HTML (.html) and PDF (.pdf) files can be uploaded`,
    });
  const max = config.uploadMaxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
  const tooBig = { error: `${name}: larger than ${formatBytes(max)} (CHAT_UPLOAD_MAX_BYTES)` };
  if (Number(req.headers['content-length'] ?? 0) > max) return reply(413, tooBig);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > max) return reply(413, tooBig);
    parts.push(part);
  }
  if (size === 0) return reply(400, { error: `${name}: the file is empty` });
  const data = Buffer.concat(parts);
  let content: string;
  let title: string | undefined;
  if (type === 'application/pdf') {
    try {
      ({ text: content, title } = await deps.pdfToText(new Uint8Array(data)));
    } catch (error) {
      return reply(422, {
        error: `${name}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  } else {
    content = data.toString('utf8');
  }
  // As the uploader, never as the operator: a document they may not read is neither reported
  // as existing nor replaced (the MCP server answers CONFLICT, without its content).
  const caller = callerOf(deps.identity);
  const existed = (await deps.tools.readDocument(name, { caller })) !== undefined;
  const result = await deps.tools.callTool(
    'ingest_document',
    {
      source: name,
      content,
      content_type: type === 'application/pdf' ? 'text/plain' : type,
      ...(title && { title }),
    },
    { caller },
  );
  if (result.isError && result.text.startsWith('CONFLICT'))
    return reply(409, {
      error: `${name}: this name is already taken by a document you cannot replace; upload the file under another file name.`,
    });
  if (result.isError) return reply(422, { error: `${name}: ${result.text.slice(0, 500)}` });
  const out = (result.structured ?? {}) as { chunks?: number; skipped?: boolean };
  const outcome: UploadOutcome = out.skipped ? 'unchanged' : existed ? 'replaced' : 'added';
  reply(200, { source: name, outcome, chunks: out.chunks ?? 0 });
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB`
    : `${Math.round(n / 1024)} KB`;
}

/** A control character (C0 or DEL) in a file name: never a real one, and unsafe in logs. */
function hasControlCharacter(name: string): boolean {
  return [...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}
