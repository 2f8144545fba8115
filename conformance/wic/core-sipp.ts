/**
 * sipp as an IMS user behind the core: it registers with Kamailio by SIP digest (the TNA core
 * challenges everyone but the eP-CSCF: conformance/e2e/register-digest-expect-200.xml), then
 * plays one UAS scenario on the same port with `-rtp_echo` (RTP received is sent back). With
 * `tap`, the scenario announces an RTP tap's port (core-rtp-tap.ts) that relays to sipp's media
 * port, so a test sees what reached the IMS side (payload types, telephone-events).
 */
import { fileURLToPath } from 'node:url';
import type { PortAllocator } from '../harness/ports.ts';
import type { Kamailio } from '../kamailio/kamailio.ts';
import { bodyOf, receivedBySipp } from '../media/sipp-ue.ts';
import { runSipp, type SippResult, type SippServer, startSippServer } from '../sipp/sipp.ts';
import { type RtpTap, startRtpTap } from './core-rtp-tap.ts';

const REGISTER_DIGEST = fileURLToPath(new URL('../e2e/register-digest-expect-200.xml', import.meta.url));

/** A UAS scenario of this folder (core-*.xml) or of conformance/sipp/. */
export function scenarioPath(name: string): string {
  return name.startsWith('core-') ? fileURLToPath(new URL(`./${name}`, import.meta.url)) : name;
}

export interface SippUser {
  readonly user: string;
  readonly server: SippServer;
  readonly tap: RtpTap | undefined;
  /** ends sipp (if still running) and the tap; the result of its run */
  stop(): Promise<SippResult>;
}

export async function startSippUser(o: {
  ports: PortAllocator;
  core: Kamailio;
  who: { readonly username: string; readonly password: string };
  /** e.g. `core-uas-pcma-tap-hold.xml` or `uas-answer-pcma.xml` */
  scenario: string;
  tap?: boolean;
  /** sipp `-d`: the pause of a `<pause/>` in the scenario */
  pauseMs?: number;
  timeoutMs: number;
}): Promise<SippUser> {
  const localPort = await o.ports.udp();
  const media = await o.ports.range(4, 'udp');
  const tapPort = o.tap === true ? await o.ports.udp() : undefined;
  const release = () => {
    o.ports.release(localPort);
    o.ports.release(media);
    if (tapPort !== undefined) o.ports.release(tapPort);
  };
  const registration = await runSipp({
    scenario: REGISTER_DIGEST,
    remote: { host: o.core.host, port: o.core.sipPort },
    localPort,
    service: o.who.username,
    keys: { domain: o.core.domain, expires: '300' },
    extraArgs: ['-au', o.who.username, '-ap', o.who.password],
  });
  if (registration.exitCode !== 0) {
    release();
    throw new Error(`sipp could not register at the core:\n${registration.report()}`);
  }
  const tap =
    tapPort === undefined
      ? undefined
      : await startRtpTap({ host: o.ports.host, port: tapPort, sippMediaPort: media.min });
  let server: SippServer;
  try {
    server = await startSippServer({
      scenario: scenarioPath(o.scenario),
      localPort,
      service: o.who.username,
      mediaPort: media.min,
      rtpEcho: true,
      keys: tapPort === undefined ? {} : { tap_port: String(tapPort) },
      ...(o.pauseMs === undefined ? {} : { extraArgs: ['-d', String(o.pauseMs)] }),
      timeoutMs: o.timeoutMs,
    });
  } catch (err) {
    await tap?.close();
    release();
    throw err;
  }
  let stopped: Promise<SippResult> | undefined;
  return {
    user: o.who.username,
    server,
    tap,
    stop: () => {
      stopped ??= server.stop().finally(async () => {
        await tap?.close();
        release();
      });
      return stopped;
    },
  };
}

/** The requests (start lines) and responses sipp received, oldest first. */
export function sippReceived(result: SippResult): string[] {
  return receivedBySipp(result.messages);
}

/** The SDP bodies of the INVITEs sipp received, oldest first. */
export function invitesToSipp(result: SippResult): string[] {
  return sippReceived(result)
    .filter((m) => m.startsWith('INVITE '))
    .map(bodyOf);
}
