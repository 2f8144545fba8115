/** Test helper of the directory contracts: asserting a typed refusal. */

import { expect } from 'vitest';

/** Asserts that `promise` rejects with `type` naming `field`. */
export async function refused(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  field: string,
) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as { field?: unknown }).field).toBe(field);
}
