/**
 * Keeps the most recent output of a peer (stdout and stderr interleaved in arrival order),
 * bounded in bytes, so a failing test can show what the peer said without unbounded memory.
 */
export class OutputRing {
  readonly #chunks: string[] = [];
  #size = 0;
  #dropped = 0;

  constructor(readonly capacity = 64 * 1024) {}

  push(chunk: string): void {
    if (chunk.length === 0) return;
    const text = chunk.length > this.capacity ? chunk.slice(chunk.length - this.capacity) : chunk;
    this.#dropped += chunk.length - text.length;
    this.#chunks.push(text);
    this.#size += text.length;
    while (this.#size > this.capacity && this.#chunks.length > 1) {
      const first = this.#chunks.shift() ?? '';
      this.#size -= first.length;
      this.#dropped += first.length;
    }
  }

  /** Everything kept, oldest first, prefixed by how much was dropped. */
  text(): string {
    const body = this.#chunks.join('');
    return this.#dropped > 0 ? `[... ${this.#dropped} earlier characters dropped ...]\n${body}` : body;
  }
}
