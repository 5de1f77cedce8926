import { expect } from 'vitest';

/**
 * Awaits `promise`, asserts it rejects with an instance of `type` (and a message matching
 * `message`, if given), and returns the error for further checks.
 */
export async function expectFailure<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
  message?: RegExp | string,
): Promise<E> {
  const settled = await promise.then(
    (value: unknown) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (settled.ok) {
    expect.fail(
      `expected a ${type.name}, but the call succeeded with ${JSON.stringify(settled.value)?.slice(0, 200)}`,
    );
  }
  const caught = settled.error;
  expect(caught).toBeInstanceOf(type);
  const error = caught as E;
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}
