import type { Identity } from '../../ports/session-store.js';

/**
 * What the WebSocket function hands to the engine function (asynchronous invoke). No secret
 * travels here: async payloads can land in a dead-letter queue, so the resume token is minted
 * by the engine itself when it greets the connection.
 */
export type WorkerEvent =
  | { kind: 'hello'; connectionId: string; sessionId: string }
  | {
      kind: 'turn';
      connectionId: string;
      sessionId: string;
      clientMessageId: string;
      content: string;
      /** The message's place in the session's turn queue (`TurnQueue`). */
      ticket?: number;
      /** The claim was taken over from a turn that died (see `MessageClaim.takenOver`). */
      takenOver?: boolean;
      /**
       * The signed-in user who sent the message, from the `$connect` authorizer's context that
       * comes with every frame (none: anonymous); the turn's tools run as them.
       */
      identity?: Identity;
    };

/** Narrows an invoke payload; anything else is refused (a misrouted or hand-made event). */
export function parseWorkerEvent(payload: unknown): WorkerEvent {
  const e = payload as Partial<Record<string, unknown>> | null;
  const str = (name: string): boolean => typeof e?.[name] === 'string' && e[name] !== '';
  if (e && str('connectionId') && str('sessionId')) {
    if (e.kind === 'hello') return e as WorkerEvent;
    if (
      e.kind === 'turn' &&
      str('clientMessageId') &&
      typeof e.content === 'string' &&
      (e.identity === undefined || isIdentity(e.identity))
    )
      return e as WorkerEvent;
  }
  throw new TypeError(
    'engine event: expected {kind: "hello" | "turn", connectionId, sessionId, ...} from the WebSocket function',
  );
}

function isIdentity(value: unknown): value is Identity {
  const i = value as Partial<Record<string, unknown>> | null;
  return (
    typeof i?.issuer === 'string' &&
    typeof i.subject === 'string' &&
    (i.groups === undefined ||
      (Array.isArray(i.groups) && i.groups.every((g) => typeof g === 'string')))
  );
}
