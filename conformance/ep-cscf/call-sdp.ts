/**
 * SDP bodies a browser would send (RFC 8829 shape: one audio m-line, UDP/TLS/RTP/SAVPF, ICE,
 * DTLS fingerprint, rtcp-mux, Opus and telephone-event) for signalling tests. Without an
 * eIMS-AGW the eP-CSCF passes them through, so a test can compare them byte for byte.
 */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpOptions {
  /** o= user, also the ICE ufrag, so that each party's SDP is recognisable */
  readonly user: string;
  /** o= session version: one more for each new offer or answer in a session (RFC 3264 §8) */
  readonly version?: number;
  readonly direction?: Direction;
  /** DTLS role (RFC 5763 §5): actpass in offers, active or passive in answers */
  readonly setup?: 'actpass' | 'active' | 'passive';
}

export function webrtcSdp(o: SdpOptions): string {
  const lines = [
    'v=0',
    `o=${o.user} 4611731400430051337 ${o.version ?? 1} IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${o.user}`,
    'a=ice-pwd:asd88fgpdd777uzjYhagZg1234',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2',
    `a=setup:${o.setup ?? 'actpass'}`,
    'a=mid:0',
    `a=${o.direction ?? 'sendrecv'}`,
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:126 telephone-event/8000',
    'a=candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host',
  ];
  return `${lines.join('\r\n')}\r\n`;
}
