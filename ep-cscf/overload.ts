import type { SipRequest, SipResponse } from '../sip/index.ts';
import { localResponse } from './reply.ts';

/**
 * Load shedding (RFC 3261 §21.5.4; the aim of RFC 7339 without its feedback protocol, which
 * WebRTC clients do not speak). Everything the eP-CSCF does waits on one event loop: a message
 * read from a socket, a transaction timer, an rtpengine reply. When the loop falls behind, new
 * work only makes every call already in progress later, until their NG requests time out and
 * answers reach the browser unrewritten (BENCHMARKS.md, calls past our maximum). So while the
 * loop is late by more than a threshold, requests from clients that would start something new
 * (out of any dialog: REGISTER, INVITE, MESSAGE, OPTIONS, SUBSCRIBE...) are refused at once with
 * 503 and a Retry-After, and what is in progress goes on: requests inside a dialog (re-INVITE,
 * UPDATE, BYE), CANCEL, ACK, every response, everything from the core.
 */

/** How late the event loop is now, in milliseconds. */
export interface LoopDelay {
  readonly delayMs: number;
}

const TICK_MS = 20;
const WINDOW = 5;

/**
 * Measures the event loop's delay with a timer of its own: every 20 ms it notes how much later
 * than asked it ran, and reports the largest of the last five (about 100 ms). A loop blocked
 * for 300 ms reads about 280 until it has kept time for five ticks again.
 */
export class EventLoopDelay implements LoopDelay {
  private readonly drifts = new Float64Array(WINDOW);
  private next = 0;
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  get delayMs(): number {
    let max = 0;
    for (const d of this.drifts) if (d > max) max = d;
    return max;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = performance.now();
    this.drifts[this.next] = Math.max(0, now - this.last - TICK_MS);
    this.next = (this.next + 1) % WINDOW;
    this.last = now;
  }
}

/** Whether a request from a client would start something new: a request outside any dialog. */
export function startsNewWork(request: SipRequest): boolean {
  if (request.method === 'ACK' || request.method === 'CANCEL') return false;
  const tag = request.to.params.value('tag');
  return tag === undefined || tag === '';
}

export class LoadShedding {
  /**
   * @param delay the loop's delay
   * @param thresholdMs refuse new work above this delay; 0 never refuses
   * @param random in [0, 1): spreads the Retry-After of refused clients over 1-5 s, so that they
   *   do not all come back at the same moment
   */
  constructor(
    private readonly delay: LoopDelay,
    private readonly thresholdMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The 503 for a request from a client while overloaded; undefined when it may go on. */
  refusal(request: SipRequest): SipResponse | undefined {
    if (this.thresholdMs === 0 || this.delay.delayMs <= this.thresholdMs || !startsNewWork(request))
      return undefined;
    const retryAfter = 1 + Math.floor(this.random() * 5);
    return localResponse(request, 503, 'Service Unavailable (overloaded)', [
      ['Retry-After', String(retryAfter)],
    ]);
  }
}
