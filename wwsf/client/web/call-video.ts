/**
 * Video in a call, on standard WebRTC transceivers under JsSIP's offer/answer (RFC 3264):
 *
 * - what the SDP and the negotiated transceivers say about the video stream: offered (an
 *   `m=video` line with a port other than 0, RFC 3264 §5.1), kept or rejected by the answer
 *   (port 0, §6), and its direction each way (§5.1, §8.4);
 * - the camera off/on during a call: the sender's track is replaced (`replaceTrack(null)`, the
 *   camera stopped, its light off), the video transceiver's direction drops or regains `send`,
 *   and JsSIP's `renegotiate()` sends the re-INVITE (RFC 3264 §8.4). The other side's answer
 *   then says `sendonly`/`inactive` for the stream it no longer gets, so its phone shows "camera
 *   off" instead of a frozen or black picture — and it keeps sending its own video;
 * - audio only on an incoming video call: the offer's video stream is marked rejected before the
 *   browser applies it (port 0, out of the BUNDLE group), so the answer rejects it too (port 0,
 *   RFC 3264 §6); both sides then show an audio call. (Stopping the transceiver after the offer
 *   is applied is not enough: Chromium answers it `a=inactive` on a live port.)
 */
import type { RTCSession } from 'jssip/lib/RTCSession.js';

export interface VideoDirections {
  /** the call has a live video stream (not rejected, not stopped) */
  readonly negotiated: boolean;
  readonly sending: boolean;
  readonly receiving: boolean;
}

/** Whether an SDP offers video: an `m=video` line whose port is not 0 (RFC 3264 §5.1, §6). */
export function offersVideo(sdp: string | undefined): boolean {
  if (sdp === undefined) return false;
  for (const m of sdp.matchAll(/^m=video[ \t]+([0-9]+)/gm)) if (m[1] !== '0') return true;
  return false;
}

/** The part of an RTCRtpTransceiver the video state is read from. */
export interface TransceiverFacts {
  readonly kind: string;
  /** null before the first negotiation; `stopped` once rejected or stopped */
  readonly currentDirection: string | null;
  /** `stopped` once stopped here, even before a negotiation says so */
  readonly direction?: string;
}

/** The video stream after an offer/answer exchange, from the transceivers' negotiated directions. */
export function videoDirections(transceivers: readonly TransceiverFacts[]): VideoDirections {
  const live = transceivers.filter(
    (t) =>
      t.kind === 'video' &&
      t.currentDirection !== null &&
      t.currentDirection !== 'stopped' &&
      t.direction !== 'stopped',
  );
  const has = (part: 'send' | 'recv') =>
    live.some((t) => t.currentDirection === 'sendrecv' || t.currentDirection === `${part}only`);
  return { negotiated: live.length > 0, sending: has('send'), receiving: has('recv') };
}

/** A transceiver's direction with our sending turned on or off, its receiving kept. */
export function withSending(direction: RTCRtpTransceiverDirection, on: boolean): RTCRtpTransceiverDirection {
  const receives = direction === 'sendrecv' || direction === 'recvonly';
  if (on) return receives ? 'sendrecv' : 'sendonly';
  return receives ? 'recvonly' : 'inactive';
}

const factsOf = (t: RTCRtpTransceiver): TransceiverFacts => ({
  kind: t.receiver.track.kind,
  currentDirection: t.currentDirection ?? null,
  direction: t.direction,
});

/** The video transceiver of a call, while it is live. */
export function videoTransceiver(pc: RTCPeerConnection): RTCRtpTransceiver | undefined {
  return pc
    .getTransceivers()
    .find(
      (t) =>
        t.receiver.track.kind === 'video' && t.currentDirection !== 'stopped' && t.direction !== 'stopped',
    );
}

/** The video state of a peer connection now. */
export function videoOf(pc: RTCPeerConnection): VideoDirections {
  return videoDirections(pc.getTransceivers().map(factsOf));
}

/**
 * The offer with its video streams rejected: port 0 (RFC 3264 §6) and their mids out of the
 * BUNDLE group (RFC 8843 §7.3.3: a rejected m= section leaves the group).
 */
export function rejectVideo(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const rejected = new Set<string>();
  let inVideo = false;
  const out = lines.map((line) => {
    if (line.startsWith('m=')) {
      inVideo = line.startsWith('m=video');
      return inVideo ? line.replace(/^m=video[ \t]+[0-9]+(\/[0-9]+)?/, 'm=video 0') : line;
    }
    if (inVideo && line.startsWith('a=mid:')) rejected.add(line.slice('a=mid:'.length).trim());
    return line;
  });
  return out
    .map((line) => {
      if (!line.startsWith('a=group:BUNDLE')) return line;
      const [, ...mids] = line.split(' ');
      const kept = mids.filter((m) => m !== '' && !rejected.has(m));
      return kept.length === 0 ? undefined : `a=group:BUNDLE ${kept.join(' ')}`;
    })
    .filter((line): line is string => line !== undefined)
    .join(eol);
}

/** Answers an incoming video call with audio only: JsSIP applies the offer with its video rejected. */
export function rejectVideoInAnswer(session: RTCSession): void {
  const reject = (e: { originator: string; type: string; sdp: string }) => {
    if (e.originator !== 'remote' || e.type !== 'offer') return;
    session.off('sdp', reject);
    e.sdp = rejectVideo(e.sdp);
  };
  session.on('sdp', reject);
}

/**
 * Turns our camera's video off or on in a call: `track` (a new camera track) or null, then the
 * transceiver's direction, then the re-INVITE. Resolves true when the other side answered it.
 */
export async function switchCamera(session: RTCSession, track: MediaStreamTrack | null): Promise<boolean> {
  const pc = session.connection;
  const t = pc === undefined || pc === null ? undefined : videoTransceiver(pc);
  if (t === undefined) return false;
  await t.sender.replaceTrack(track);
  t.direction = withSending(t.direction, track !== null);
  return new Promise((resolve) => {
    if (!session.renegotiate({}, () => resolve(true))) resolve(false);
  });
}
