import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { ANONYMOUS_CALLER, TRUSTED_CALLER, type Caller } from '../../../src/identity/caller.js';
import {
  CALLER_META_KEY,
  TOKEN_USER_KEY,
  callerMeta,
  resolveCaller,
} from '../../../src/identity/resolve-caller.js';

const alice = { issuer: 'https://id.example.com', subject: 'alice', groups: ['staff'] };
const tokenOf = (user?: typeof alice) => ({
  token: '',
  clientId: '',
  scopes: ['mcp:read'],
  ...(user && { extra: { [TOKEN_USER_KEY]: user } }),
});

describe('resolveCaller: who a request is for', () => {
  it('is the trusted operator on an operator-owned channel without _meta', () => {
    expect(resolveCaller({})).toBe(TRUSTED_CALLER);
    expect(resolveCaller({ _meta: { progressToken: 1 } })).toBe(TRUSTED_CALLER);
  });

  it('on an operator-owned channel, _meta names the person or anonymous', () => {
    expect(resolveCaller({ _meta: { [CALLER_META_KEY]: alice } })).toEqual({
      kind: 'user',
      identity: alice,
    });
    expect(resolveCaller({ _meta: { [CALLER_META_KEY]: { issuer: 'i', subject: 's' } } })).toEqual({
      kind: 'user',
      identity: { issuer: 'i', subject: 's', groups: [] },
    });
    expect(resolveCaller({ _meta: { [CALLER_META_KEY]: { anonymous: true } } })).toBe(
      ANONYMOUS_CALLER,
    );
  });

  it('with authInfo (an OAuth access token) is the token user, and ignores _meta', () => {
    const bob = { issuer: 'https://as.example.com', subject: 'bob', groups: [] };
    expect(resolveCaller({ authInfo: tokenOf(bob), _meta: { [CALLER_META_KEY]: alice } })).toEqual({
      kind: 'user',
      identity: bob,
    });
    // A token without a user is nobody in particular, never the operator.
    expect(resolveCaller({ authInfo: tokenOf() })).toBe(ANONYMOUS_CALLER);
    expect(
      resolveCaller({ authInfo: tokenOf(), _meta: { [CALLER_META_KEY]: { anonymous: 7 } } }),
    ).toBe(ANONYMOUS_CALLER);
  });

  it.each([
    ['a string', 'alice'],
    ['null', null],
    ['an array', [alice]],
    ['no issuer', { subject: 'alice' }],
    ['an empty subject', { issuer: 'i', subject: '' }],
    ['an issuer with #', { issuer: 'i#x', subject: 's' }],
    ['an unknown field', { ...alice, admin: true }],
    ['groups not strings', { ...alice, groups: [1] }],
    ['too many groups', { ...alice, groups: Array.from({ length: 257 }, (_, i) => `g${i}`) }],
    ['anonymous: false', { anonymous: false }],
    ['anonymous with a subject', { anonymous: true, subject: 'alice' }],
  ])('refuses a malformed identity (%s) with a ValidationError naming the field', (_n, value) => {
    expect(() => resolveCaller({ _meta: { [CALLER_META_KEY]: value } })).toThrow(ValidationError);
    expect(() => resolveCaller({ _meta: { [CALLER_META_KEY]: value } })).toThrow(
      /_meta\["chatbot-mcp\/caller"\]/,
    );
  });

  it('callerMeta is what resolveCaller reads back', () => {
    const callers: Caller[] = [TRUSTED_CALLER, ANONYMOUS_CALLER, { kind: 'user', identity: alice }];
    for (const caller of callers)
      expect(resolveCaller({ _meta: callerMeta(caller) })).toEqual(caller);
  });
});
