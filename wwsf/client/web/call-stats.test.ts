import { describe, expect, it } from 'vitest';
import { summariseStats } from './call-stats.ts';

describe('in-call statistics', () => {
  it('[WIC-stats-getstats] MUST report codec, packets, loss, jitter and RTT from a getStats report', () => {
    const stats = summariseStats([
      { id: 'C1', type: 'codec', mimeType: 'audio/opus', clockRate: 48000 },
      { id: 'O1', type: 'outbound-rtp', kind: 'audio', packetsSent: 250, bytesSent: 20_000, codecId: 'C1' },
      {
        id: 'I1',
        type: 'inbound-rtp',
        kind: 'audio',
        packetsReceived: 240,
        packetsLost: 3,
        jitter: 0.0042,
        bytesReceived: 19_000,
        codecId: 'C1',
      },
      { id: 'R1', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.0215 },
      { id: 'V1', type: 'outbound-rtp', kind: 'video', packetsSent: 999 },
    ]);
    expect(stats).toEqual({
      codec: 'opus 48 kHz',
      packetsSent: 250,
      packetsReceived: 240,
      packetsLost: 3,
      jitterMs: 4.2,
      rttMs: 21.5,
      bytesSent: 20_000,
      bytesReceived: 19_000,
    });
  });

  it('[WIC-stats-getstats] MUST fall back to the selected ICE candidate pair for RTT, and report nothing it does not have', () => {
    const stats = summariseStats([
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', state: 'succeeded', currentRoundTripTime: 0.001 },
      { id: 'I', type: 'inbound-rtp', mediaType: 'audio', packetsReceived: 5 },
    ]);
    expect(stats).toMatchObject({ rttMs: 1, packetsReceived: 5, codec: undefined, jitterMs: undefined });
    expect(summariseStats([])).toMatchObject({ packetsSent: 0, rttMs: undefined });
  });
});
