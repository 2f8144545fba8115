import type { Logger } from 'pino';
import type { TransactionLayer } from '../sip/transaction/index.ts';
import type { Destination, TransportManager, TransportProtocol } from '../sip/transport/index.ts';
import type { ContactBinding, RegistrationStore } from '../store/index.ts';
import type { BearerAccess } from './bearer/bearer-access.ts';
import type { CallControl } from './calls/call-control.ts';
import type { FlowTokens } from './flow/flow-token.ts';
import type { EpCscfMetrics } from './metrics.ts';
import type { LoadShedding } from './overload.ts';
import type { PoolRegistrar } from './pool/pool-registrar.ts';

/** What the eP-CSCF's modules share: created once by ep-cscf.ts and handed to each. */
export interface EpCscfContext {
  readonly layer: TransactionLayer;
  readonly transports: TransportManager;
  readonly store: RegistrationStore;
  readonly tokens: FlowTokens;
  readonly logger: Logger;
  readonly metrics: EpCscfMetrics;
  readonly settings: EpCscfSettings;
  /** calls through this eP-CSCF and their media */
  readonly calls: CallControl;
  /** bearer-token access (RFC 8898, ep-cscf/bearer/), when a WAF issuer is known */
  readonly bearer: BearerAccess | undefined;
  /** the reg-event subscriber (TS 24.229 §5.2.3), when REG_EVENT is on */
  regEvent: { ensure(binding: ContactBinding): void } | undefined;
  /** scenario 3 (TS 33.203 Annex X.4): identities leased from the directory's pools, when one is given */
  pool: PoolRegistrar | undefined;
  /** refuses client requests that start something new while the event loop is saturated */
  readonly shedding: LoadShedding;
  /** wall-clock time in ms (registration expiries are wall-clock) */
  now(): number;
}

export interface EpCscfSettings {
  /** our Mw address as advertised in Via, Path and Record-Route */
  readonly mwHost: string;
  readonly mwPort: number;
  /** next hop toward the IMS core */
  readonly core: Destination;
  /** the core's URI, as configured (or the lab core's) */
  readonly coreUri: string;
  readonly visitedNetworkId: string;
  /** IMS_DOMAIN: the home network domain (realm of our Bearer challenges) */
  readonly homeDomain: string;
  readonly flowTimer: number;
  readonly regEvent: boolean;
}

/** The Via value (without branch) for a request we send toward `protocol`. */
export function viaFor(ctx: EpCscfContext, protocol: TransportProtocol): string {
  const s = ctx.settings;
  const host = s.mwHost.includes(':') ? `[${s.mwHost}]` : s.mwHost;
  switch (protocol) {
    case 'ws':
    case 'wss':
      return `SIP/2.0/${protocol.toUpperCase()} ${host}`;
    default:
      return `SIP/2.0/${protocol.toUpperCase()} ${host}:${s.mwPort}`;
  }
}

/** Our Mw URI with a user part, e.g. for Path and Record-Route. */
export function mwUri(ctx: EpCscfContext, user: string): string {
  const s = ctx.settings;
  const host = s.mwHost.includes(':') ? `[${s.mwHost}]` : s.mwHost;
  const transport = ctx.settings.core.protocol === 'udp' ? '' : `;transport=${ctx.settings.core.protocol}`;
  return `sip:${user}@${host}:${s.mwPort}${transport};lr`;
}
