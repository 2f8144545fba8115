/**
 * The call log: the last calls (newest first, at most `limit`), kept in the browser's
 * localStorage under one key per identity. Whatever is stored is parsed back at this edge; a
 * damaged entry is dropped, never trusted.
 */
import type { EndedCall } from './phone-state.ts';

export type CallOutcome = 'answered' | 'missed' | 'declined' | 'cancelled' | 'failed';

export interface CallLogEntry {
  readonly id: string;
  readonly direction: 'outgoing' | 'incoming';
  readonly peer: string;
  readonly startedAt: number;
  /** ms of conversation; 0 when not answered */
  readonly durationMs: number;
  readonly outcome: CallOutcome;
  /** a short reason for failed calls (e.g. "Busy") */
  readonly detail: string | undefined;
  /** answered with video (absent in entries stored before video calls existed) */
  readonly video?: boolean;
}

/** The part of the Web Storage interface the log uses. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const OUTCOMES: readonly CallOutcome[] = ['answered', 'missed', 'declined', 'cancelled', 'failed'];

/** How an ended call is entered in the log. */
export function logEntryFor(call: EndedCall): CallLogEntry {
  const answered = call.answeredAt !== undefined;
  const cause = call.failure?.kind === 'call' ? call.failure.cause : undefined;
  let outcome: CallOutcome;
  if (answered) outcome = 'answered';
  else if (call.direction === 'incoming') outcome = call.by === 'local' ? 'declined' : 'missed';
  else if (cause === 'Canceled' || (call.failure === undefined && call.by === 'local')) outcome = 'cancelled';
  else outcome = 'failed';
  return {
    id: call.id,
    direction: call.direction,
    peer: call.peer,
    startedAt: call.startedAt,
    durationMs: answered ? Math.max(0, call.endedAt - (call.answeredAt ?? call.endedAt)) : 0,
    outcome,
    detail: outcome === 'failed' ? cause : undefined,
    ...(call.video ? { video: true } : {}),
  };
}

function parseEntry(v: unknown): CallLogEntry | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const e = v as Record<string, unknown>;
  if (typeof e.id !== 'string' || typeof e.peer !== 'string') return undefined;
  if (e.direction !== 'outgoing' && e.direction !== 'incoming') return undefined;
  if (typeof e.startedAt !== 'number' || typeof e.durationMs !== 'number') return undefined;
  const outcome = OUTCOMES.find((o) => o === e.outcome);
  if (outcome === undefined) return undefined;
  return {
    id: e.id,
    direction: e.direction,
    peer: e.peer,
    startedAt: e.startedAt,
    durationMs: e.durationMs,
    outcome,
    detail: typeof e.detail === 'string' ? e.detail : undefined,
    ...(e.video === true ? { video: true } : {}),
  };
}

export class CallLog {
  private readonly key: string;

  constructor(
    private readonly store: KeyValueStore,
    identity: string,
    private readonly limit = 100,
  ) {
    this.key = `wic.calls.${identity}`;
  }

  entries(): CallLogEntry[] {
    let raw: unknown;
    try {
      raw = JSON.parse(this.store.getItem(this.key) ?? '[]');
    } catch {
      return [];
    }
    if (!Array.isArray(raw)) return [];
    return raw.map(parseEntry).filter((e): e is CallLogEntry => e !== undefined);
  }

  add(entry: CallLogEntry): CallLogEntry[] {
    const next = [entry, ...this.entries().filter((e) => e.id !== entry.id)].slice(0, this.limit);
    try {
      this.store.setItem(this.key, JSON.stringify(next));
    } catch {
      // storage full or disabled: the log lives for this page only
    }
    return next;
  }

  clear(): void {
    this.store.removeItem(this.key);
  }
}
