/**
 * Waits until `probe` returns a value `accept` takes, re-trying every 20 ms; returns the last
 * value when the wait runs out, so the test's own assertion reports what was there. For state
 * a peer updates after the response that triggered it (a store write, a location table).
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  timeoutMs = 2_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() >= deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}
