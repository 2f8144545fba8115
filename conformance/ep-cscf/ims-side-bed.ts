/**
 * The peers of the tests between a WebRTC client and a user on the IMS side: Kamailio as the IMS
 * core, the eP-CSCF in front of it, and alice registered over her WebSocket. Registers the
 * describe block's hooks; the sipp run or server a test starts goes in `lastRun` / `uas`, so it
 * is reported on failure and stopped at the end.
 */
import { afterAll, beforeAll } from 'vitest';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type Kamailio, startKamailio } from '../kamailio/kamailio.ts';
import type { SippResult, SippServer } from '../sipp/sipp.ts';
import { CallUa } from './call-ua.ts';
import { type EpCscfPeer, startEpCscfPeer } from './ep-cscf-peer.ts';

export interface ImsSideBed {
  ports: PortAllocator;
  core: Kamailio;
  ep: EpCscfPeer;
  alice: CallUa;
  uas: SippServer | undefined;
  lastRun: SippResult | undefined;
}

/** The bed, filled in by the beforeAll hook it registers (read its fields inside tests only). */
export function useImsSideBed(domain: string): ImsSideBed {
  const bed: Partial<ImsSideBed> = {};
  printPeerOutputOnFailure(() => [
    bed.core,
    bed.ep,
    bed.uas,
    bed.lastRun,
    { report: () => `--- alice ---\n${bed.alice?.inbox.summary() ?? ''}` },
  ]);
  beforeAll(async () => {
    bed.ports = await PortAllocator.open();
    bed.core = await startKamailio({ ports: bed.ports, domain });
    bed.ep = await startEpCscfPeer({
      ports: bed.ports,
      coreUri: `sip:${bed.core.host}:${bed.core.sipPort}`,
      env: { IMS_DOMAIN: domain },
    });
    bed.alice = await CallUa.registered({
      wsUrl: bed.ep.wsUrl,
      domain,
      user: 'alice',
      secret: { password: '-' },
    });
  });
  afterAll(async () => {
    await bed.alice?.close();
    await bed.uas?.stop();
    await bed.ep?.stop();
    await bed.core?.stop();
    await bed.ports?.close();
  });
  return bed as ImsSideBed;
}
