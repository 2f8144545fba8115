/**
 * Test helpers only (not exported by index.ts): SDP fixtures moved onto loopback, a UDP sink
 * for whatever rtpengine sends toward them (ICE checks, RTP), a browser-style answer, and a
 * gateway wired to a real rtpengine.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { type MediaDescription, parse, type SessionDescription } from 'sdp-transform';
import { MediaGateway } from './gateway.ts';
import { DEFAULT_POLICY, type MediaPolicy } from './media-policy.ts';
import { NgClient, type NgExchange } from './ng/ng-client.ts';
import { RtpenginePool } from './pool.ts';

export function vector(path: string): string {
  return readFileSync(new URL(`../../shared/vectors/sdp/${path}`, import.meta.url), 'utf8');
}

/** A bound UDP socket that swallows what it gets; fixtures point their media at it. */
export async function openSink(): Promise<{ port: number; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  socket.on('message', () => {});
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/**
 * The fixture with every IPv4 address replaced by 127.0.0.1, IPv6 and TCP candidates dropped,
 * and every media and candidate port set to `port`: whatever rtpengine sends toward this
 * "client" stays on this machine.
 */
export function onLoopback(sdp: string, port: number): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(eol)
    .filter(
      (line) =>
        !(line.startsWith('a=candidate:') && (/ tcp /i.test(line) || /:/.test(line.split(' ')[4] ?? ''))),
    )
    .map((line) => line.replace(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g, '127.0.0.1'))
    .map((line) => line.replace(/^(m=\w+ )\d+/, `$1${port}`))
    .map((line) => line.replace(/^(a=rtcp:)\d+/, `$1${port}`))
    .map((line) =>
      line.startsWith('a=candidate:')
        ? line
            .replace(/^(a=candidate:\S+ \d+ \S+ \d+ \S+ )\d+/, `$1${port}`)
            .replace(/ rport \d+/, ` rport ${port}`)
        : line,
    )
    .join(eol);
}

/** A plain IMS-side (VoLTE-style) RTP/AVP offer or answer with PCMA (and PCMU) and DTMF. */
export function imsSdp(port: number, payloads: 'PCMA' | 'PCMA+PCMU' = 'PCMA+PCMU'): string {
  const codecs = payloads === 'PCMA' ? ['8'] : ['8', '0'];
  return [
    'v=0',
    'o=ims-core 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${[...codecs, '101'].join(' ')}`,
    'a=rtpmap:8 PCMA/8000',
    ...(payloads === 'PCMA' ? [] : ['a=rtpmap:0 PCMU/8000']),
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** What a browser answers to an offer from the gateway: PCMA + telephone-event, DTLS `setup`. */
export function browserAnswer(offer: string, port: number, setup: 'active' | 'passive' = 'active'): string {
  const media = parse(offer).media[0];
  const pt = (name: string) => media?.rtp.find((r) => r.codec === name && r.rate === 8000)?.payload;
  const pcma = pt('PCMA') ?? 8;
  const dtmf = pt('telephone-event');
  const mid = media?.mid ?? '0';
  return [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    `a=group:BUNDLE ${mid}`,
    `m=audio ${port} UDP/TLS/RTP/SAVPF ${pcma}${dtmf === undefined ? '' : ` ${dtmf}`}`,
    'c=IN IP4 127.0.0.1',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=candidate:1467250027 1 udp 2122260223 127.0.0.1 ${port} typ host generation 0`,
    'a=ice-ufrag:Ofj1',
    'a=ice-pwd:4W5Bh2mtTthCIzOeFBdTPRfe',
    'a=fingerprint:sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2',
    `a=setup:${setup}`,
    `a=mid:${mid}`,
    'a=sendrecv',
    'a=rtcp-mux',
    `a=rtpmap:${pcma} PCMA/8000`,
    ...(dtmf === undefined ? [] : [`a=rtpmap:${dtmf} telephone-event/8000`, `a=fmtp:${dtmf} 0-15`]),
    '',
  ].join('\r\n');
}

/** The first media section and the session of an SDP, with attribute helpers. */
export function inspect(sdp: string): {
  session: SessionDescription;
  media: MediaDescription;
  codecs: string[];
  lines: string[];
} {
  const session = parse(sdp);
  const media = session.media[0];
  if (media === undefined) throw new Error(`no m= line in\n${sdp}`);
  return {
    session,
    media,
    codecs: media.rtp.map((r) => `${r.codec}/${r.rate}`),
    lines: sdp.split(/\r?\n/),
  };
}

export interface LiveGateway {
  readonly gateway: MediaGateway;
  readonly pool: RtpenginePool;
  readonly exchanges: NgExchange[];
  close(): Promise<void>;
}

/** A gateway whose pool holds the given rtpengines (NG addresses). */
export async function liveGateway(
  ngAddresses: readonly { host: string; port: number }[],
  policy: MediaPolicy = DEFAULT_POLICY,
  client: { timeoutMs?: number; retries?: number } = {},
): Promise<LiveGateway> {
  const exchanges: NgExchange[] = [];
  const instances = ngAddresses.map(
    (a) => new NgClient({ host: a.host, port: a.port, ...client, observe: (e) => exchanges.push(e) }),
  );
  const pool = new RtpenginePool({ instances, pingIntervalMs: 60_000 });
  await pool.start();
  return { gateway: new MediaGateway({ pool, policy }), pool, exchanges, close: () => pool.stop() };
}
