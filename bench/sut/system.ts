/**
 * A system under test: something that accepts SIP over WebSocket from the load generator and
 * forwards REGISTERs to the IMS core. Our eP-CSCF (our-epcscf.ts) and Kamailio as a WebSocket
 * P-CSCF (kamailio-pcscf.ts) both run as a process group, pinned to the CPU the run gives them.
 */
import { type PortAllocator, requireBinary } from '../../conformance/harness/index.ts';
import { groupPids } from './proc-stats.ts';

export type SystemName = 'ours' | 'kamailio';

export interface SystemOptions {
  readonly ports: PortAllocator;
  /** the CPU every process of the system is pinned to; undefined: not pinned */
  readonly cpu: number | undefined;
  /** the IMS core's UDP address (Mw next hop) */
  readonly core: { readonly host: string; readonly port: number };
  readonly domain: string;
  /** the only Origin allowed to open the SIP WebSocket */
  readonly origin: string;
  /** serve WSS with this key and certificate instead of WS */
  readonly tls?: { readonly keyFile: string; readonly certFile: string } | undefined;
  /** most simultaneous client connections expected */
  readonly maxConnections: number;
  /** write a V8 CPU profile of the process here on stop (ours only) */
  readonly cpuProfileDir?: string | undefined;
  /** rtpengine's NG control address: calls get their media anchored there (else REGISTER only) */
  readonly rtpengine?: { readonly host: string; readonly port: number } | undefined;
  /** more Node flags for ours, e.g. --perf-basic-prof to profile it with Linux perf */
  readonly nodeArgs?: readonly string[] | undefined;
}

export interface SystemUnderTest {
  readonly name: SystemName;
  /** ws://HOST:PORT/sip or wss://... */
  readonly url: string;
  /** the process group (its leader's pid) */
  readonly pgid: number;
  /** what is running: versions, worker counts, pinning */
  readonly description: string;
  /** before a memory reading: a full garbage collection where the runtime has one */
  settle(): Promise<void>;
  /**
   * The system's own count of registered contacts, where it publishes one (ours as the product:
   * `epcscf_registrations` on /metrics, summed over its workers).
   */
  registrations?(): Promise<number>;
  /** recent output, for error reports */
  report(): string;
  stop(): Promise<void>;
}

/** The live processes of a system (Kamailio forks workers; ours is one process, or a primary and its workers). */
export function systemPids(sut: SystemUnderTest): number[] {
  return groupPids(sut.pgid);
}

/** `taskset -c CPU` in front of a command when pinned (throws when taskset is not installed). */
export function pinnedCommand(
  cpu: number | undefined,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  return cpu === undefined
    ? { command, args: [...args] }
    : {
        command: requireBinary({ name: 'taskset', debianPackage: 'util-linux' }),
        args: ['-c', String(cpu), command, ...args],
      };
}
