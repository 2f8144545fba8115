/**
 * The eP-CSCF of the end-to-end tests, started in this process as an operator would configure it
 * (EPCSCF_SCHEMA environment: WAF_ISSUER, the introspection client, TOKEN_VALIDATION, ...) and
 * handed the subscriber directory the WAF uses (pool identities, scenario 3). Every message it
 * sends toward the IMS core (Mw) is recorded: the core trusts `auth-done` only from the
 * eP-CSCF's own Mw socket, so no relay may sit in between to watch.
 */
import type { RunningEpCscf } from '../../ep-cscf/ep-cscf.ts';
import type { SipMessage } from '../../sip/index.ts';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { startEpCscfPeer } from '../ep-cscf/ep-cscf-peer.ts';
import type { PortAllocator } from '../harness/ports.ts';

export interface E2eEpCscf {
  /** `ws://127.0.0.1:PORT/sip` */
  readonly wsUrl: string;
  readonly host: string;
  readonly mwPort: number;
  readonly running: RunningEpCscf;
  /** messages sent toward the core (Mw), oldest first */
  readonly toCore: SipMessage[];
  report(): string;
  stop(): Promise<void>;
}

export interface E2eEpCscfOptions {
  readonly ports: PortAllocator;
  /** the Mw port, chosen before the core starts (the core trusts exactly it) */
  readonly mwPort: number;
  readonly coreUri: string;
  readonly env: Readonly<Record<string, string>>;
  readonly directory: SubscriberDirectory;
}

export async function startE2eEpCscf(o: E2eEpCscfOptions): Promise<E2eEpCscf> {
  const peer = await startEpCscfPeer({
    ports: o.ports,
    coreUri: o.coreUri,
    env: { SIP_PORT: String(o.mwPort), REG_EVENT: 'false', ...o.env },
    directory: o.directory,
  });
  return {
    wsUrl: peer.wsUrl,
    host: peer.host,
    mwPort: peer.mwPort,
    running: peer.running,
    toCore: peer.toCore,
    report: () => peer.report(),
    stop: () => peer.stop(),
  };
}
