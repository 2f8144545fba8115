/**
 * In-call statistics from RTCPeerConnection.getStats() (W3C webrtc-stats): the audio codec,
 * packets sent and received, packets lost, jitter and the round-trip time, and for video the
 * codec, the resolution and frame rate each way and the frames decoded, read from the
 * `outbound-rtp`, `inbound-rtp`, `remote-inbound-rtp`, `codec` and the selected
 * `candidate-pair` entries. Pure: it takes the report's entries, so it is testable without a
 * browser, and works with what Chromium and Firefox each report.
 */

/** One direction of the video: the picture's size and rate, and the frames sent or decoded. */
export interface VideoFlow {
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly framesPerSecond: number | undefined;
  /** framesDecoded (received) or framesSent (sent) */
  readonly frames: number;
}

export interface VideoStats {
  readonly codec: string | undefined;
  readonly received: VideoFlow | undefined;
  readonly sent: VideoFlow | undefined;
}

export interface CallStats {
  readonly codec: string | undefined;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly packetsLost: number;
  /** ms */
  readonly jitterMs: number | undefined;
  /** ms */
  readonly rttMs: number | undefined;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** absent in an audio call */
  readonly video: VideoStats | undefined;
}

type Entry = Readonly<Record<string, unknown>>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function isAudio(e: Entry): boolean {
  return (e.kind ?? e.mediaType) === 'audio';
}

function isVideo(e: Entry): boolean {
  return (e.kind ?? e.mediaType) === 'video';
}

function flow(e: Entry | undefined, frames: 'framesDecoded' | 'framesSent'): VideoFlow | undefined {
  if (e === undefined) return undefined;
  const fps = num(e.framesPerSecond);
  return {
    width: num(e.frameWidth),
    height: num(e.frameHeight),
    framesPerSecond: fps === undefined ? undefined : Math.round(fps),
    frames: num(e[frames]) ?? 0,
  };
}

export function summariseStats(entries: Iterable<Entry>): CallStats {
  const all = [...entries];
  const byId = new Map(all.map((e) => [str(e.id) ?? '', e]));
  const outbound = all.filter((e) => e.type === 'outbound-rtp' && isAudio(e));
  const inbound = all.filter((e) => e.type === 'inbound-rtp' && isAudio(e));
  const remoteIn = all.filter((e) => e.type === 'remote-inbound-rtp' && isAudio(e));
  const sum = (list: Entry[], key: string) => list.reduce((n, e) => n + (num(e[key]) ?? 0), 0);

  const codecOf = (e: Entry | undefined, withRate = true) => {
    const codec = e === undefined ? undefined : byId.get(str(e.codecId) ?? '');
    if (codec === undefined) return undefined;
    const mime = str(codec.mimeType)?.replace(/^(audio|video)\//i, '');
    const rate = num(codec.clockRate);
    if (mime === undefined) return undefined;
    return rate === undefined || !withRate ? mime : `${mime} ${rate / 1000} kHz`;
  };
  // Only the streams that carry something (an unused video stream reports nothing worth showing).
  const videoIn = all.find(
    (e) => e.type === 'inbound-rtp' && isVideo(e) && (num(e.packetsReceived) ?? 0) > 0,
  );
  const videoOut = all.find((e) => e.type === 'outbound-rtp' && isVideo(e) && (num(e.packetsSent) ?? 0) > 0);
  const video: VideoStats | undefined =
    videoIn === undefined && videoOut === undefined
      ? undefined
      : {
          codec: codecOf(videoIn, false) ?? codecOf(videoOut, false),
          received: flow(videoIn, 'framesDecoded'),
          sent: flow(videoOut, 'framesSent'),
        };

  const jitter = inbound.map((e) => num(e.jitter)).find((j) => j !== undefined);
  // RTT: from RTCP (remote-inbound-rtp) if reported, else the ICE candidate pair in use.
  let rtt = remoteIn.map((e) => num(e.roundTripTime)).find((r) => r !== undefined);
  if (rtt === undefined) {
    const transport = all.find((e) => e.type === 'transport');
    const pairId = str(transport?.selectedCandidatePairId);
    const pair =
      (pairId === undefined ? undefined : byId.get(pairId)) ??
      all.find(
        (e) =>
          e.type === 'candidate-pair' &&
          (e.selected === true || e.nominated === true) &&
          e.state === 'succeeded',
      );
    rtt = num(pair?.currentRoundTripTime);
  }
  return {
    codec: codecOf(inbound[0]) ?? codecOf(outbound[0]),
    packetsSent: sum(outbound, 'packetsSent'),
    packetsReceived: sum(inbound, 'packetsReceived'),
    packetsLost: sum(inbound, 'packetsLost'),
    jitterMs: jitter === undefined ? undefined : Math.round(jitter * 1000 * 10) / 10,
    rttMs: rtt === undefined ? undefined : Math.round(rtt * 1000 * 10) / 10,
    bytesSent: sum(outbound, 'bytesSent'),
    bytesReceived: sum(inbound, 'bytesReceived'),
    video,
  };
}
