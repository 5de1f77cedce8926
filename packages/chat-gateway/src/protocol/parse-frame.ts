import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { InvalidFrameError } from '../errors.js';
import clientSchema from './client-frames.schema.json' with { type: 'json' };
import type { ClientFrame } from './frames.js';
import { MAX_FRAME_BYTES } from './frames.js';
import { cutText } from 'chatbot-mcp-server/core';

let compiled: { ajv: Ajv2020; validate: ValidateFunction<ClientFrame> } | undefined;
/**
 * Compiled on the first frame, not at start-up, and without checking the committed schema
 * against the JSON Schema meta-schema (a test does that): compiling the meta-schema costs more
 * than all the rest.
 */
function compiledSchema(): { ajv: Ajv2020; validate: ValidateFunction<ClientFrame> } {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: false, strict: true, validateSchema: false });
    compiled = { ajv, validate: ajv.compile<ClientFrame>(clientSchema) };
  }
  return compiled;
}
const KNOWN_TYPES = new Set([
  'message',
  'resume',
  'confirm',
  'history',
  'cancel',
  'document',
  'documents',
  'feedback',
  'conversations',
  'conversation-rename',
  'conversation-delete',
]);
/** An error quotes at most this much of what the client sent: the frame itself can be 128 KB. */
export const MAX_QUOTED_CHARS = 64;

/** JSON of a client-sent value for an error message, cut to a short prefix with "…". */
export function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTED_CHARS ? `${cutText(text, MAX_QUOTED_CHARS)}…` : text;
}

/**
 * Parses and validates one client frame. Every problem is an `InvalidFrameError` whose message
 * says what was wrong; the caller answers with an error frame and keeps the connection.
 */
export function parseClientFrame(raw: string): ClientFrame {
  if (Buffer.byteLength(raw, 'utf8') > MAX_FRAME_BYTES) {
    throw new InvalidFrameError(
      `frame: larger than ${MAX_FRAME_BYTES / 1024} KB; send a shorter message`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new InvalidFrameError('frame: not valid JSON; send one JSON object per text frame');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidFrameError('frame: must be a JSON object with a "type"');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    throw new InvalidFrameError(
      `frame: unknown type ${quote(type)}; use one of: ${[...KNOWN_TYPES].join(', ')}`,
    );
  }
  // Validate against the one branch the type names, so the message is about that frame.
  const { ajv, validate } = compiledSchema();
  const branch = ajv.getSchema(`https://chatbot-mcp.dev/schemas/client-frames.json#/$defs/${type}`);
  if (branch && !branch(value))
    throw new InvalidFrameError(`${type}: ${describe(branch.errors ?? [])}`);
  if (!validate(value)) throw new InvalidFrameError(`${type}: ${describe(validate.errors ?? [])}`);
  checkWellFormed(type, value);
  return value;
}

/** A UTF-16 surrogate without its pair (`\ud800` in the JSON): `u` regexes see pairs as one. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The rule the MCP server applies to its identifiers, for every string of a frame (a valid
 * frame's fields are all at the top level). A lone surrogate can only arrive as a JSON escape;
 * it has no UTF-8 form, so it would be stored, titled and sent to the model as given, and model
 * APIs refuse such a request ("no low surrogate in string") for every later turn of the chat.
 */
function checkWellFormed(type: string, frame: ClientFrame): void {
  for (const [field, text] of Object.entries(frame)) {
    if (typeof text !== 'string' || !LONE_SURROGATE.test(text)) continue;
    throw new InvalidFrameError(
      `${type}: ${field} contains an unpaired UTF-16 surrogate (at index ${text.search(LONE_SURROGATE)}), which is not valid Unicode; send well-formed text`,
    );
  }
}

function describe(errors: ErrorObject[]): string {
  const e = errors[0];
  if (!e) return 'does not match the protocol schema';
  // The path can hold client-chosen keys (e.g. inside `input`), so it is cut like any quote.
  const path = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : 'frame';
  const where = path.length > MAX_QUOTED_CHARS ? `${path.slice(0, MAX_QUOTED_CHARS)}…` : path;
  if (e.keyword === 'additionalProperties')
    return `${where}: unknown field ${quote(e.params.additionalProperty)}`;
  if (e.keyword === 'required') {
    const field = JSON.stringify(e.params.missingProperty);
    return where === 'frame' ? `missing field ${field}` : `${where}: missing field ${field}`;
  }
  return `${where}: ${e.message ?? 'is invalid'}`;
}
