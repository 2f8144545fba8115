/**
 * The start and stop discipline of a test bed (test-bed.ts, ../media/media-bed.ts): peers are
 * started in order and remembered; if starting fails, what was started is stopped and the
 * error rethrown; the bed's `stop()` stops every peer in reverse order, each one even after
 * another's stop failed, and then throws the first failure.
 */
import type { PortAllocator } from '../harness/ports.ts';

/** What every bed takes: the test's ports, more eP-CSCF environment, and who hears of each peer. */
export interface BedOptions {
  readonly ports: PortAllocator;
  /** eP-CSCF environment on top of what the bed sets */
  readonly env?: Readonly<Record<string, string>>;
  /** receives each peer as soon as it is up, so a failing test can print its output */
  readonly onPeer?: (peer: { report(): string }) => void;
}

export interface Stoppable {
  stop(): Promise<unknown>;
}

export interface PeerGroup {
  /** remembers a started peer (stopped with the group) and returns it */
  add<P extends Stoppable>(peer: P): P;
}

/** Runs `start` with a fresh group; its result comes back with the group's `stop()`. */
export async function startPeerGroup<T extends object>(
  start: (group: PeerGroup) => Promise<T>,
): Promise<T & { stop(): Promise<void> }> {
  const started: Stoppable[] = [];
  const stop = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const p of started.splice(0).reverse()) await p.stop().catch((err: unknown) => errors.push(err));
    if (errors.length > 0) throw errors[0];
  };
  const group: PeerGroup = {
    add(peer) {
      started.push(peer);
      return peer;
    },
  };
  try {
    return { ...(await start(group)), stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
