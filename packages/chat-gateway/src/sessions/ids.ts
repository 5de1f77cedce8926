/**
 * Identifiers and secrets of the chat: time-sortable ids for messages and events, random
 * session ids and resume tokens, and the hash under which a token is stored.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Crockford's base32: no I, L, O, U; its order is ASCII order, so ids sort as strings. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
/** The largest time ten base32 characters hold (48 bits of milliseconds, year 10889). */
const MAX_TIME = 2 ** 48 - 1;

/**
 * Makes a generator of 26-character ULID-like ids: 48 bits of milliseconds then 80 random
 * bits. Within one generator ids strictly increase, also within one millisecond and when the
 * clock steps back, so a history sorted by id is the order in which messages were made.
 */
export function createIdGenerator(now: () => number = Date.now): () => string {
  let lastTime = -1;
  let lastRandom: number[] = [];
  return () => {
    let time = Math.min(Math.max(Math.floor(now()), 0), MAX_TIME);
    let random: number[];
    if (time <= lastTime) {
      time = lastTime;
      random = increment(lastRandom);
      if (random.length === 0) {
        // All 80 bits were used up in one millisecond: borrow the next one.
        time = lastTime + 1;
        random = randomDigits();
      }
    } else {
      random = randomDigits();
    }
    lastTime = time;
    lastRandom = random;
    return encodeTime(time) + random.map((d) => ALPHABET[d]).join('');
  };
}

/** Time-sortable ids from the process clock (one monotonic sequence per process). */
export const newSortableId: () => string = createIdGenerator();

/** A new session id: 128 random bits, base64url (22 characters). */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/** A new resume token: 256 random bits, base64url (43 characters). Only its hash is stored. */
export function newResumeToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of a token, hex: what the sessions table keeps instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Compares two strings in time that does not depend on where they differ, so that a wrong
 * token reveals nothing about the right one. Different lengths are unequal (for hex hashes the
 * length is public anyway).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

function encodeTime(time: number): string {
  let out = '';
  let rest = time;
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function randomDigits(): number[] {
  // Each byte's low five bits are uniform over 0..31.
  return [...randomBytes(RANDOM_CHARS)].map((b) => b & 31);
}

/** The base32 number one greater, or [] when it would overflow. */
function increment(digits: readonly number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]! += 1;
      return next;
    }
    next[i] = 0;
  }
  return [];
}

/** The user id in analytics events: issuer and subject, which together name one user. */
export function userIdOf(identity: { issuer: string; subject: string }): string {
  return `${identity.issuer}#${identity.subject}`;
}
