import { ValidationError } from './errors.js';

/**
 * Rules every identifier shares (record key values, attribute names, table aliases, document
 * sources, metadata and filter keys). Identity is compared exactly, so an identifier must
 * survive every encoding on the way to a store unchanged:
 * - well-formed UTF-16: a lone surrogate becomes U+FFFD in UTF-8 and would alias another name;
 * - not `__proto__`: JavaScript objects on the way (JSON marshalling, dynalite's own storage)
 *   treat it as the prototype and drop it, so it could be acknowledged but never stored.
 */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** The only name refused for being a JavaScript object internal (see above). */
export const RESERVED_NAME = '__proto__';

export function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** Throws VALIDATION unless `value` is well-formed UTF-16. */
export function checkWellFormed(value: string, field: string): string {
  if (!isWellFormed(value)) {
    const at = value.search(LONE_SURROGATE);
    throw new ValidationError(
      `${field}: contains an unpaired UTF-16 surrogate (at index ${at}), which is not valid Unicode; send well-formed text`,
    );
  }
  return value;
}

/** Throws VALIDATION unless `name` can be an attribute, metadata or filter key as given. */
export function checkName(name: string, field: string): string {
  checkWellFormed(name, field);
  if (name === RESERVED_NAME) {
    throw new ValidationError(
      `${field}: the name "__proto__" is reserved (JavaScript would treat it as the object's prototype and it could not be stored as given); rename it`,
    );
  }
  return name;
}

/** A field path for messages that stays one line and short whatever the name holds. */
export function fieldPath(parent: string, name: string): string {
  const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
  return /^[\w.:-]*$/.test(shown) ? `${parent}.${shown}` : `${parent}[${JSON.stringify(shown)}]`;
}
