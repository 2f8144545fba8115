import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree, PortAllocator } from '../harness/ports.ts';
import { groupAlive } from '../harness/process.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { ngPing, ngRequest } from './ng-request.ts';
import { type Rtpengine, startRtpengine } from './rtpengine.ts';

const OFFER = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 8',
  'a=rtpmap:8 PCMA/8000',
  'a=sendrecv',
  '',
].join('\r\n');

describe('rtpengine peer', () => {
  let ports: PortAllocator;
  let rtpengine: Rtpengine | undefined;
  printPeerOutputOnFailure(() => [rtpengine]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
  });
  afterAll(async () => {
    await rtpengine?.stop();
    await ports.close();
  });

  it('[HARNESS-rtpengine-lifecycle] MUST start on free ports, answer NG ping and offer/delete, and leave no process or port behind on stop', async () => {
    const peer = await startRtpengine({ ports });
    rtpengine = peer;
    expect(await ngPing(peer.host, peer.ngPort)).toBe(true);

    // A real exchange: the offer is answered with an SDP whose media port is in our range.
    const callId = `smoke-${process.pid}`;
    const offer = await ngRequest(peer.host, peer.ngPort, {
      command: 'offer',
      'call-id': callId,
      'from-tag': 'a',
      sdp: OFFER,
    });
    expect(offer?.result).toBe('ok');
    const sdp = typeof offer?.sdp === 'string' ? offer.sdp : '';
    const mediaPort = Number(/^m=audio (\d+) /m.exec(sdp)?.[1]);
    expect(mediaPort).toBeGreaterThanOrEqual(peer.mediaPorts.min);
    expect(mediaPort).toBeLessThanOrEqual(peer.mediaPorts.max);
    expect(sdp).toMatch(/^c=IN IP4 127\.0\.0\.1/m);

    const deleted = await ngRequest(peer.host, peer.ngPort, {
      command: 'delete',
      'call-id': callId,
      'from-tag': 'a',
    });
    expect(deleted?.result).toBe('ok');
    // --delete-delay=0: the call is gone at once.
    const query = await ngRequest(peer.host, peer.ngPort, { command: 'query', 'call-id': callId });
    expect(query?.result).toBe('error');

    const status = await peer.stop();
    expect(status.code === 0 || status.signal === 'SIGTERM').toBe(true);
    expect(groupAlive(peer.process.pid)).toBe(false);
    expect(await isPortFree(peer.ngPort, 'udp')).toBe(true);
    expect(await isPortFree(mediaPort, 'udp')).toBe(true);
  });
});
