import { randomBytes, randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
/** RFC 3261 §19.3 asks for at least 32 random bits in a tag; we give 48 */
const TAG_BYTES = 6;

/**
 * Identifiers the eP-CSCF mints per message, without a system call per message (BENCHMARKS.md,
 * "Problems found in the eP-CSCF", item 5).
 * - An ICID (P-Charging-Vector `icid-value`, RFC 7315 §4.6) must be unique, not secret: a
 *   per-generator random prefix (128 bits, drawn once) plus a counter.
 * - A To tag of a local response (RFC 3261 §8.2.6.2, §19.3: globally unique, at least 32 random
 *   bits) is 48 random bits taken from a 4 kB pool filled by one `randomFillSync` when used up.
 */
export class IdGenerator {
  private readonly prefix = randomBytes(16).toString('hex');
  private counter = 0;
  private readonly pool = Buffer.allocUnsafe(POOL_SIZE);
  private offset = POOL_SIZE;

  /** A unique ICID: 32 hex digits of prefix, a dot, the counter in base 36. */
  icid(): string {
    this.counter = (this.counter + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.prefix}.${this.counter.toString(36)}`;
  }

  /** A To/From tag: 12 hex digits, 48 random bits. */
  tag(): string {
    if (this.offset + TAG_BYTES > POOL_SIZE) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const start = this.offset;
    this.offset += TAG_BYTES;
    return this.pool.toString('hex', start, start + TAG_BYTES);
  }
}

/**
 * The generator of this process's eP-CSCF code paths that have no context at hand (`reply.ts`).
 * It holds no configuration, only randomness and a counter.
 */
export const processIds = new IdGenerator();
