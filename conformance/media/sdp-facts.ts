/**
 * What the media tests assert about an SDP body, read with sdp-transform: the audio stream's
 * transport protocol, address and port, the ICE and DTLS attributes it carries, its codecs.
 */
import { parse } from 'sdp-transform';

export interface SdpFacts {
  /** `RTP/AVP`, `UDP/TLS/RTP/SAVPF`, ... of the first audio m= line */
  readonly protocol: string | undefined;
  /** c= of the audio stream, or of the session */
  readonly address: string | undefined;
  readonly port: number | undefined;
  readonly codecs: readonly string[];
  readonly candidates: number;
  readonly fingerprint: boolean;
  readonly setup: string | undefined;
  /** the audio stream's a=sendrecv/sendonly/recvonly/inactive, or the session's (RFC 3264 §5.1) */
  readonly direction: string | undefined;
  /** the lines that only belong on the WebRTC side: a=ice-*, a=candidate, a=fingerprint, a=setup */
  readonly webrtcOnlyLines: readonly string[];
}

const WEBRTC_ONLY = /^a=(ice-[a-z-]+|candidate|end-of-candidates|fingerprint|setup|tls-id)\b/;

export function sdpFacts(sdp: string): SdpFacts {
  const session = parse(sdp);
  const audio = session.media.find((m) => m.type === 'audio');
  return {
    protocol: audio?.protocol,
    address: audio?.connection?.ip ?? session.connection?.ip,
    port: audio?.port,
    codecs: (audio?.rtp ?? []).map((r) => `${r.codec}/${r.rate ?? ''}`),
    candidates: audio?.candidates?.length ?? 0,
    fingerprint: (audio?.fingerprint ?? session.fingerprint) !== undefined,
    setup: audio?.setup ?? session.setup,
    direction: audio?.direction ?? session.direction,
    webrtcOnlyLines: sdp.split(/\r?\n/).filter((l) => WEBRTC_ONLY.test(l)),
  };
}
