/**
 * Runs the work for one key one step at a time, in arrival order (a client's REGISTERs, its
 * flow closing and its token ending never interleave); keys run independently.
 */
export class SerialQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `step` after the steps queued before for `key`; its outcome is the returned promise. */
  run(key: string, step: () => Promise<void> | undefined): Promise<void> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const next = before.then(step, step);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
