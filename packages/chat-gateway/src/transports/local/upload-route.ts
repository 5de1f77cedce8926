import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_UPLOAD_MAX_BYTES, type LocalServerConfig } from '../../config.js';
import { groupRefusal, inGroups } from '../../engine/tool-permissions.js';
import type { Identity } from '../../ports/session-store.js';
import { callerOf, type ToolClient } from '../../ports/tool-client.js';
import {
  checkUploadName,
  formatBytes,
  ingestUpload,
  uploadTypeOf,
  UPLOAD_TYPES_TEXT,
} from '../../uploads/ingest-upload.js';
import { SECURITY_HEADERS } from './static-files.js';
import { checkOrigin, presentedToken, tokenMatches } from './upgrade-guards.js';

export type { UploadOutcome } from '../../uploads/ingest-upload.js';

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
  if (checkUploadName(name))
    return reply(400, { error: 'name: give the file name (1-255 characters) as ?name=' });
  if (!uploadTypeOf(name)) return reply(415, { error: `${name}: ${UPLOAD_TYPES_TEXT}` });
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
  const result = await ingestUpload(name, new Uint8Array(Buffer.concat(parts)), {
    ...deps,
    caller: callerOf(deps.identity),
  });
  if (!result.ok) return reply(result.status, { error: result.error });
  reply(200, { source: result.source, outcome: result.outcome, chunks: result.chunks });
}
