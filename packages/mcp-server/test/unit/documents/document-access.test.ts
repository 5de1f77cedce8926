import { describe, expect, it } from 'vitest';
import {
  accessPrincipals,
  callerReaders,
  mayRead,
  sameAccess,
} from '../../../src/documents/document-access.js';
import { ValidationError } from '../../../src/errors.js';

describe('accessPrincipals', () => {
  it('absent is everyone; {} is nobody (never an empty list); entries are sorted and unique', () => {
    expect(accessPrincipals(undefined)).toEqual(['*']);
    expect(accessPrincipals({})).toEqual(['-']);
    expect(accessPrincipals({ users: [], groups: [] })).toEqual(['-']);
    expect(accessPrincipals({ users: ['bob', 'alice', 'bob'], groups: ['eng'] })).toEqual([
      'g:eng',
      's:alice',
      's:bob',
    ]);
  });

  it('an issuer URL before # binds a subject to that issuer; other # are part of a subject', () => {
    expect(accessPrincipals({ users: ['https://id.example.com#alice', 'auth0|a#b'] })).toEqual([
      's:auth0|a#b',
      'u:https://id.example.com#alice',
    ]);
  });

  it.each([
    [{ users: 'alice' }, /access\.users: must be a list/],
    [{ groups: [''] }, /access\.groups\[0\]: must be a non-empty string/],
    [{ groups: [' eng'] }, /without surrounding spaces/],
    [{ users: ['a\nb'] }, /control characters/],
    [{ owners: ['a'] }, /unknown field "owners"/],
    [['alice'], /must be an object/],
    [{ users: Array.from({ length: 101 }, (_, i) => `u${i}`) }, /the limit is 100/],
  ])('refuses %j, saying what is wrong', (access, message) => {
    expect(() => accessPrincipals(access as never)).toThrow(ValidationError);
    expect(() => accessPrincipals(access as never)).toThrow(message);
  });
});

describe('callerReaders and mayRead', () => {
  const alice = callerReaders({
    kind: 'user',
    identity: { issuer: 'https://id.example.com', subject: 'alice', groups: ['eng'] },
  });

  it('the operator reads everything; anonymous only everyone’s; a user theirs and their groups’', () => {
    expect(callerReaders(undefined)).toBeUndefined();
    expect(callerReaders({ kind: 'trusted' })).toBeUndefined();
    expect(callerReaders({ kind: 'anonymous' })).toEqual(['*']);
    expect(alice).toEqual(['*', 's:alice', 'u:https://id.example.com#alice', 'g:eng']);

    expect(mayRead(['-'], undefined)).toBe(true);
    expect(mayRead(undefined, ['*'])).toBe(true);
    expect(mayRead(['-'], alice)).toBe(false);
    expect(mayRead(['g:eng'], alice)).toBe(true);
    expect(mayRead(['g:ops', 's:bob'], alice)).toBe(false);
    expect(mayRead(['u:https://other.example.com#alice'], alice)).toBe(false);
  });

  it('sameAccess treats absent as everyone and ignores order', () => {
    expect(sameAccess(undefined, ['*'])).toBe(true);
    expect(sameAccess(['g:a', 's:b'], ['s:b', 'g:a'])).toBe(true);
    expect(sameAccess(['g:a'], ['g:a', 's:b'])).toBe(false);
    expect(sameAccess(undefined, ['-'])).toBe(false);
  });
});
