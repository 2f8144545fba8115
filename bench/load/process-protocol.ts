/**
 * Messages between the load generator and a load child process (load-process.ts) over the IPC
 * channel (advanced serialisation: typed arrays cross as they are). The commands and replies of
 * each worker thread travel inside, tagged with the thread's lane number in that process.
 */
import type { Command, Reply, WorkerSetup } from './protocol.ts';

export type ParentMessage =
  /** start one worker thread per setup (lanes 0..n-1 of this process) */
  | { readonly kind: 'setup'; readonly setups: readonly WorkerSetup[] }
  | { readonly kind: 'command'; readonly lane: number; readonly command: Command }
  /** end the threads and exit */
  | { readonly kind: 'exit' };

export type ProcessReply =
  | { readonly kind: 'started'; readonly lanes: number }
  | { readonly kind: 'reply'; readonly lane: number; readonly reply: Reply }
  /** the thread of this lane ended or failed */
  | { readonly kind: 'lost'; readonly lane: number; readonly message: string };

function record(raw: unknown): Record<string, unknown> | undefined {
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : undefined;
}

/** What the generator sent, or undefined for anything else (the shape of the payloads is ours). */
export function parseParentMessage(raw: unknown): ParentMessage | undefined {
  const m = record(raw);
  if (m === undefined) return undefined;
  if (m.kind === 'setup' && Array.isArray(m.setups))
    return { kind: 'setup', setups: m.setups as WorkerSetup[] };
  if (m.kind === 'command' && typeof m.lane === 'number' && record(m.command) !== undefined)
    return { kind: 'command', lane: m.lane, command: m.command as Command };
  if (m.kind === 'exit') return { kind: 'exit' };
  return undefined;
}

/** What a load process sent, or undefined for anything else. */
export function parseProcessReply(raw: unknown): ProcessReply | undefined {
  const m = record(raw);
  if (m === undefined) return undefined;
  if (m.kind === 'started' && typeof m.lanes === 'number') return { kind: 'started', lanes: m.lanes };
  if (m.kind === 'reply' && typeof m.lane === 'number' && typeof record(m.reply)?.op === 'string')
    return { kind: 'reply', lane: m.lane, reply: m.reply as Reply };
  if (m.kind === 'lost' && typeof m.lane === 'number' && typeof m.message === 'string')
    return { kind: 'lost', lane: m.lane, message: m.message };
  return undefined;
}
