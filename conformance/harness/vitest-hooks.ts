/**
 * Vitest glue: when a test fails, print the captured output of the peers it used, so the
 * failure report shows what Kamailio, rtpengine, ... said at the time.
 */
import { beforeEach } from 'vitest';

export interface HasReport {
  report(): string;
}

/** Call at the top of a describe block; `peers()` is read when a test fails. */
export function printPeerOutputOnFailure(peers: () => ReadonlyArray<HasReport | undefined>): void {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      for (const peer of peers()) if (peer !== undefined) console.error(peer.report());
    });
  });
}
