/**
 * A user on the IMS side of an ims-side-bed.ts test, played by sipp: registered directly with
 * Kamailio (`register-expect-200-service-route.xml`, no eP-CSCF in between), then serving one
 * UAS scenario on the same port, so what the core routes to that user reaches sipp. The server
 * goes in the bed's `uas` (reported on failure, stopped at the end) and its runs in `lastRun`.
 */
import { expect } from 'vitest';
import { runSipp, type SippResult, startSippServer } from '../sipp/sipp.ts';
import type { ImsSideBed } from './ims-side-bed.ts';

export interface SippImsUserOptions {
  /** the user part of sip:USER@DOMAIN */
  readonly user: string;
  /** the home domain the bed's Kamailio serves */
  readonly domain: string;
  /** the UAS scenario (conformance/sipp/) sipp serves once registered */
  readonly scenario: string;
  /** give sipp media ports (scenarios that answer with SDP and echo RTP) */
  readonly media?: boolean;
}

export interface SippImsUser {
  /** waits for the UAS scenario to end, takes the server out of the bed, expects exit 0; its run */
  finished(): Promise<SippResult>;
}

export async function startSippImsUser(bed: ImsSideBed, o: SippImsUserOptions): Promise<SippImsUser> {
  const port = await bed.ports.port('udp');
  const media = o.media === true ? await bed.ports.range(2, 'udp') : undefined;
  bed.lastRun = await runSipp({
    scenario: 'register-expect-200-service-route.xml',
    remote: { host: bed.core.host, port: bed.core.sipPort },
    localPort: port,
    service: o.user,
    keys: { domain: o.domain, expires: '60' },
  });
  expect(bed.lastRun.exitCode, `sipp registered ${o.user} with the core`).toBe(0);
  const server = await startSippServer({
    scenario: o.scenario,
    localPort: port,
    service: o.user,
    ...(media === undefined ? {} : { mediaPort: media.min }),
  });
  bed.uas = server;
  return {
    async finished() {
      const done = await server.finished();
      bed.lastRun = done;
      bed.uas = undefined;
      expect(done.exitCode).toBe(0);
      return done;
    },
  };
}
