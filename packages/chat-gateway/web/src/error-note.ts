/**
 * An `error` frame as the reader needs it: the gateway's message (it says what went wrong), what
 * to do about it, and the code for a bug report. One hint per code of the protocol (README).
 */
import { h } from './dom.js';

const WHAT_TO_DO: Record<string, string> = {
  INVALID_FRAME: 'Reload the page; if it happens again, the page and the gateway do not match.',
  SESSION_NOT_FOUND: 'The earlier conversation has ended; carry on here in a new one.',
  DUPLICATE_MESSAGE: 'That message was already sent; type it again to ask once more.',
  NOT_FOUND: 'It is gone already (finished, cancelled or expired); nothing to do.',
  RATE_LIMITED: 'Too many messages at once: wait a few seconds, then send again.',
  MODEL_UNAVAILABLE:
    'The language model did not answer. Send the message again once it is reachable; if it keeps failing, tell whoever runs the chat (the message above names the setting).',
  MCP_TOOL_ERROR: 'A tool failed: send the message again, or ask in another way.',
  STORAGE_UNAVAILABLE: 'The chat cannot save right now: send the message again in a moment.',
  SHUTTING_DOWN: 'The chat is restarting: the page reconnects by itself; then send again.',
  TURN_TIMEOUT: 'The answer took too long: send it again, or ask a smaller question.',
  INTERNAL:
    'Send the message again; if it keeps failing, tell whoever runs the chat the reference above.',
};

export function errorHint(code: string, retryable: boolean): string {
  return WHAT_TO_DO[code] ?? (retryable ? 'Send the message again.' : '');
}

export function errorNote(code: string, message: string, retryable: boolean): HTMLElement {
  const hint = errorHint(code, retryable);
  return h(
    'div',
    { className: 'note note-error', attrs: { role: 'alert', 'data-code': code } },
    h('p', { className: 'note-message', text: message }),
    ...(hint ? [h('p', { className: 'note-hint', text: hint })] : []),
    h('code', { className: 'note-code', text: code }),
  );
}
