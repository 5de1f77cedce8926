/**
 * The engine function's invoke payloads: a turn carries its sender's identity (from the
 * `$connect` authorizer, so the engine reads no session record for it); a payload whose
 * identity is not one is refused like any hand-made event.
 */
import { describe, expect, it } from 'vitest';
import { parseWorkerEvent } from '../../src/transports/lambda/worker-events.js';

const turn = {
  kind: 'turn',
  connectionId: 'c1',
  sessionId: 's1',
  clientMessageId: 'm1',
  content: 'hello',
};

describe('parseWorkerEvent', () => {
  it('passes a turn with or without its sender', () => {
    expect(parseWorkerEvent(turn)).toEqual(turn);
    const alice = { issuer: 'https://idp.example', subject: 'alice', groups: ['staff'] };
    expect(parseWorkerEvent({ ...turn, identity: alice })).toMatchObject({ identity: alice });
  });

  it('refuses a turn whose identity is not an issuer + subject (+ groups of strings)', () => {
    for (const identity of [
      'alice',
      { subject: 'alice' },
      { issuer: 'https://idp.example', subject: 'alice', groups: [1] },
    ])
      expect(() => parseWorkerEvent({ ...turn, identity })).toThrow(/engine event/);
  });
});
