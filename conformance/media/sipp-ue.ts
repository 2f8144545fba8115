/**
 * sipp as an IMS-side user: registered directly to the IMS core (Kamailio), then a UAS that
 * answers one INVITE with PCMA and echoes the RTP it receives (`-rtp_echo`), or a UAC that calls
 * a WIC with a PCMA offer and hangs up after a hold time. `receivedBySipp` reads what sipp got
 * from its message trace.
 */

import type { PortAllocator } from '../harness/ports.ts';
import type { Kamailio } from '../kamailio/kamailio.ts';
import { runSipp, type SippResult, type SippServer, startSippServer } from '../sipp/sipp.ts';

export interface SippUas {
  readonly user: string;
  readonly server: SippServer;
  /** RTP port sipp announces and echoes on */
  readonly mediaPort: number;
  stop(): Promise<SippResult>;
}

/**
 * REGISTERs sip:USER@domain at the core, then plays `scenario` (default `uas-answer-pcma.xml`:
 * answers one call) as a server on the same port.
 */
export async function startSippUas(o: {
  ports: PortAllocator;
  core: Kamailio;
  user: string;
  timeoutMs: number;
  /** a UAS scenario in conformance/sipp/ */
  scenario?: string;
}): Promise<SippUas> {
  const localPort = await o.ports.udp();
  const media = await o.ports.range(4, 'udp');
  const registered = await runSipp({
    scenario: 'register-expect-200-service-route.xml',
    remote: { host: o.core.host, port: o.core.sipPort },
    localPort,
    service: o.user,
    keys: { domain: o.core.domain, expires: '600' },
  });
  if (registered.exitCode !== 0) {
    o.ports.release(localPort);
    o.ports.release(media);
    throw new Error(`sipp REGISTER to the core failed\n${registered.report()}`);
  }
  const server = await startSippServer({
    scenario: o.scenario ?? 'uas-answer-pcma.xml',
    localPort,
    service: o.user,
    mediaPort: media.min,
    rtpEcho: true,
    timeoutMs: o.timeoutMs,
  });
  let stopped: Promise<SippResult> | undefined;
  return {
    user: o.user,
    server,
    mediaPort: media.min,
    stop: () => {
      stopped ??= server.stop().finally(() => {
        o.ports.release(localPort);
        o.ports.release(media);
      });
      return stopped;
    },
  };
}

/** Calls sip:CALLEE@domain through the core with PCMA, holds `holdMs`, sends BYE. */
export async function callFromSipp(o: {
  ports: PortAllocator;
  core: Kamailio;
  callee: string;
  holdMs: number;
  timeoutMs: number;
}): Promise<SippResult> {
  const localPort = await o.ports.udp();
  const media = await o.ports.range(4, 'udp');
  try {
    return await runSipp({
      scenario: 'uac-invite-pcma-expect-200.xml',
      remote: { host: o.core.host, port: o.core.sipPort },
      localPort,
      service: o.callee,
      keys: { domain: o.core.domain },
      mediaPort: media.min,
      rtpEcho: true,
      extraArgs: ['-d', String(o.holdMs)],
      timeoutMs: o.timeoutMs,
    });
  } finally {
    o.ports.release(localPort);
    o.ports.release(media);
  }
}

/** The messages sipp logged as received (`-trace_msg`), start line first, oldest first. */
export function receivedBySipp(log: string): string[] {
  const out: string[] = [];
  for (const block of log.split(/^-{10,}.*$/m)) {
    if (!/message received/.test(block)) continue;
    out.push(block.replace(/^[\s\S]*?message received[^\n]*\n+/, ''));
  }
  return out;
}

/** The body of a SIP message as logged (after the first blank line). */
export function bodyOf(message: string): string {
  const i = message.search(/\r?\n\r?\n/);
  return i < 0 ? '' : message.slice(i).trim();
}
