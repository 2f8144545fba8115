/**
 * In-call statistics from RTCPeerConnection.getStats() (W3C webrtc-stats): the audio codec,
 * packets sent and received, packets lost, jitter and the round-trip time, read from the
 * `outbound-rtp`, `inbound-rtp`, `remote-inbound-rtp`, `codec` and the selected
 * `candidate-pair` entries. Pure: it takes the report's entries, so it is testable without a
 * browser, and works with what Chromium and Firefox each report.
 */

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
}

type Entry = Readonly<Record<string, unknown>>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function isAudio(e: Entry): boolean {
  return (e.kind ?? e.mediaType) === 'audio';
}

export function summariseStats(entries: Iterable<Entry>): CallStats {
  const all = [...entries];
  const byId = new Map(all.map((e) => [str(e.id) ?? '', e]));
  const outbound = all.filter((e) => e.type === 'outbound-rtp' && isAudio(e));
  const inbound = all.filter((e) => e.type === 'inbound-rtp' && isAudio(e));
  const remoteIn = all.filter((e) => e.type === 'remote-inbound-rtp' && isAudio(e));
  const sum = (list: Entry[], key: string) => list.reduce((n, e) => n + (num(e[key]) ?? 0), 0);

  const codecOf = (e: Entry | undefined) => {
    const codec = e === undefined ? undefined : byId.get(str(e.codecId) ?? '');
    if (codec === undefined) return undefined;
    const mime = str(codec.mimeType)?.replace(/^audio\//i, '');
    const rate = num(codec.clockRate);
    return mime === undefined ? undefined : rate === undefined ? mime : `${mime} ${rate / 1000} kHz`;
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
  };
}
