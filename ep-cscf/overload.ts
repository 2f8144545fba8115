import { performance } from 'node:perf_hooks';
import type { SipRequest, SipResponse } from '../sip/index.ts';
import { localResponse } from './reply.ts';

/**
 * Load shedding (RFC 3261 §21.5.4; the aim of RFC 7339 without its feedback protocol, which
 * WebRTC clients do not speak). Past its maximum rate the eP-CSCF's one event loop never waits
 * for I/O any more: messages queue in the kernel's socket buffers, every call in progress gets
 * later, and new work makes it worse. So while the loop has been busy nearly all of the last
 * second, requests from clients that would start something new (out of any dialog: an INVITE,
 * MESSAGE, OPTIONS, SUBSCRIBE...) are refused at once with 503 and a Retry-After, which costs a
 * fraction of forwarding them, and what is in progress goes on: requests inside a dialog
 * (re-INVITE, UPDATE, BYE), CANCEL, ACK, every response, everything from the core, and every
 * REGISTER (see startsNewWork).
 *
 * The signal is the loop's utilisation (the share of wall time it was not waiting in the
 * poller), not its delay: libuv reads at most 32 datagrams or stream reads per readable event
 * and then runs the timers, so a loop falling behind by seconds still runs its timers within
 * milliseconds (BENCHMARKS.md, "An overload signal that does not see overload").
 */

/** How busy the event loop has been: the least busy share of its recent windows, 0-1. */
export interface LoopLoad {
  readonly busy: number;
}

const WINDOW_MS = 100;
const WINDOWS = 10;

/**
 * The event loop's utilisation (perf_hooks), in 100 ms windows; `busy` is the lowest of the last
 * ten, so it is high only when the loop was busy through the whole last second.
 */
export class EventLoopLoad implements LoopLoad {
  private readonly windows = new Float64Array(WINDOWS);
  private next = 0;
  private last = performance.eventLoopUtilization();
  private readonly timer: NodeJS.Timeout;
  /** worked out at each tick, so that a request reads a number */
  private lowest = 0;

  constructor() {
    this.timer = setInterval(() => this.tick(), WINDOW_MS);
    this.timer.unref();
  }

  get busy(): number {
    return this.lowest;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = performance.eventLoopUtilization();
    this.windows[this.next] = performance.eventLoopUtilization(now, this.last).utilization;
    this.next = (this.next + 1) % WINDOWS;
    this.last = now;
    let min = 1;
    for (const u of this.windows) if (u < min) min = u;
    this.lowest = min;
  }
}

/**
 * Whether a request from a client would start something new that can wait: a request outside any
 * dialog that does not answer a digest challenge (an INVITE, MESSAGE, OPTIONS, SUBSCRIBE...).
 * REGISTER never counts: a browser whose registration is refused may stay offline (JsSIP and
 * SIP.js do not retry on their own), a refused call is only tried again; and the second REGISTER
 * of a registration finishes what its first started.
 */
export function startsNewWork(request: SipRequest): boolean {
  if (request.method === 'ACK' || request.method === 'CANCEL' || request.method === 'REGISTER') return false;
  const tag = request.to.params.value('tag');
  if (tag !== undefined && tag !== '') return false;
  return (
    !answersChallenge(request.headers.get('Authorization')) &&
    !answersChallenge(request.headers.get('Proxy-Authorization'))
  );
}

const DIGEST = /^\s*digest\s/i;

function answersChallenge(credentials: string | undefined): boolean {
  return credentials !== undefined && DIGEST.test(credentials);
}

export class LoadShedding {
  /**
   * @param load how busy the loop has been
   * @param threshold refuse new work while `load.busy` is at least this (0-1); 0 never refuses
   * @param random in [0, 1): spreads the Retry-After of refused clients over 1-5 s, so that they
   *   do not all come back at the same moment
   */
  constructor(
    private readonly load: LoopLoad,
    private readonly threshold: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The 503 for a request from a client while overloaded; undefined when it may go on. */
  refusal(request: SipRequest): SipResponse | undefined {
    if (this.threshold === 0 || this.load.busy < this.threshold || !startsNewWork(request)) return undefined;
    const retryAfter = 1 + Math.floor(this.random() * 5);
    return localResponse(request, 503, 'Service Unavailable (overloaded)', [
      ['Retry-After', String(retryAfter)],
    ]);
  }
}
