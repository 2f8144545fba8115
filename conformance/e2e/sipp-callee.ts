/**
 * sipp as an IMS user on the core side: it registers directly with Kamailio by SIP digest
 * (register-digest-expect-200.xml: the TNA core challenges everyone but the eP-CSCF), then
 * answers one call with PCMA (conformance/sipp/uas-answer-pcma.xml: 180, 200, waits for ACK and
 * BYE) from the same port.
 */
import { fileURLToPath } from 'node:url';
import type { PortAllocator } from '../harness/ports.ts';
import type { Kamailio } from '../kamailio/kamailio.ts';
import { runSipp, type SippResult, type SippServer, startSippServer } from '../sipp/sipp.ts';

const REGISTER_DIGEST = fileURLToPath(new URL('./register-digest-expect-200.xml', import.meta.url));

/** The IMS user sipp plays: a Kamailio digest subscriber. */
export const CALLEE = { username: 'carol', password: 'carol-ims-secret' } as const;

export interface SippCallee {
  /** the registration run (exit code 0: 401 then 200 with a Service-Route) */
  readonly registration: SippResult;
  readonly server: SippServer;
}

export async function startSippCallee(ports: PortAllocator, core: Kamailio): Promise<SippCallee> {
  const port = await ports.port('udp');
  const media = await ports.range(2, 'udp');
  const registration = await runSipp({
    scenario: REGISTER_DIGEST,
    remote: { host: core.host, port: core.sipPort },
    localPort: port,
    service: CALLEE.username,
    keys: { domain: core.domain, expires: '120' },
    extraArgs: ['-au', CALLEE.username, '-ap', CALLEE.password],
  });
  if (registration.exitCode !== 0)
    throw new Error(`sipp could not register at the core:\n${registration.report()}`);
  const server = await startSippServer({
    scenario: 'uas-answer-pcma.xml',
    localPort: port,
    service: CALLEE.username,
    mediaPort: media.min,
    timeoutMs: 20_000,
  });
  return { registration, server };
}
