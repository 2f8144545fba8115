/**
 * IMS answers that give telephone-event another payload type than the offer did (RFC 3264
 * §6.1), through the gateway and a real rtpengine (user space, loopback). What goes on the wire
 * then is checked with Chromium in conformance/wic/core-dtmf.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortAllocator } from '../conformance/harness/ports.ts';
import { printPeerOutputOnFailure } from '../conformance/harness/vitest-hooks.ts';
import { type Rtpengine, startRtpengine } from '../conformance/rtpengine/rtpengine.ts';
import {
  imsSdp,
  inspect,
  type LiveGateway,
  liveGateway,
  onLoopback,
  openSink,
  vector,
} from './test-fixtures.ts';

let ports: PortAllocator;
let rtpengine: Rtpengine;
let sink: Awaited<ReturnType<typeof openSink>>;
let live: LiveGateway;
let chrome: string;
let seq = 0;

/** The IMS answer of test-fixtures (PCMA + telephone-event/8000 at 101) with another number. */
const imsAnswer = (pt: number) =>
  imsSdp(sink.port, 'PCMA').replaceAll(' 101', ` ${pt}`).replaceAll(':101 ', `:${pt} `);

/** The formats of rtpengine's answer to the WIC, each with its codec. */
const codecsOf = (sdp: string) => inspect(sdp).media.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`);

/** A WIC offer, then `answer` from IMS; the SDP sent to the IMS core and the one back to the WIC. */
async function call(wicOffer: string, answer: (toIms: string) => string) {
  const callId = `renumber-${process.pid}-${++seq}`;
  const offer = await live.gateway.offer({ callId, fromTag: 'w', sdp: wicOffer, from: 'wic', to: 'ims' });
  const back = await live.gateway.answer({
    callId,
    fromTag: 'w',
    toTag: 'ims',
    sdp: answer(offer.sdp),
    from: 'ims',
    to: 'wic',
  });
  await live.gateway.delete({ callId });
  return { toIms: offer.sdp, toWic: back.sdp };
}

describe('media gateway: answers that renumber telephone-event', () => {
  printPeerOutputOnFailure(() => [rtpengine]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    rtpengine = await startRtpengine({ ports });
    sink = await openSink();
    live = await liveGateway([{ host: rtpengine.host, port: rtpengine.ngPort }]);
    chrome = onLoopback(vector('aiortc/audio_chrome.sdp'), sink.port);
  });
  afterAll(async () => {
    await live?.close();
    await sink?.close();
    await rtpengine?.stop();
    await ports?.close();
  });

  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST keep telephone-event toward the WIC under the number the IMS answer gave it (101 for the offer’s 126)', async () => {
    const { toIms, toWic } = await call(chrome, () => imsAnswer(101));
    expect(toIms).toContain('a=rtpmap:126 telephone-event/8000');
    // rtpengine alone would answer the WIC with PCMA only (the stray 101 dropped).
    expect(codecsOf(toWic)).toEqual(['8 PCMA/8000', '101 telephone-event/8000']);
    expect(toWic).toContain('a=fmtp:101 0-15');
    expect(toWic).not.toMatch(/^a=(rtpmap|fmtp):126 /m);
  });

  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST leave an answer that keeps the offer’s number as rtpengine wrote it', async () => {
    const { toWic } = await call(chrome, () => imsAnswer(126));
    expect(codecsOf(toWic)).toEqual(['8 PCMA/8000', '126 telephone-event/8000']);
  });

  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST not give the WIC a number its offer used for another codec', async () => {
    // The WIC's telephone-event/48000 at 101, then an IMS answer with telephone-event/8000 at 101.
    const own101 = chrome
      .replace(/^(m=audio .*) 110 /m, '$1 101 ')
      .replace('a=rtpmap:110 telephone-event/48000', 'a=rtpmap:101 telephone-event/48000');
    const { toIms, toWic } = await call(own101, () => imsAnswer(101));
    expect(toIms).toContain('a=rtpmap:101 telephone-event/48000');
    expect(codecsOf(toWic)).toEqual(['8 PCMA/8000', '126 telephone-event/8000']);
  });

  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST keep telephone-event toward a WIC whose audio rtpengine transcodes', async () => {
    // An Opus-only WIC: rtpengine transcodes Opus to the PCMA the IMS side answered.
    const opusOnly = chrome
      .replace(/^(m=audio \d+ \S+) .*$/m, '$1 111 110 126')
      .replace(/^a=(rtpmap|fmtp|rtcp-fb):(103|104|9|0|8|106|105|13|112|113) .*\r\n/gm, '');
    const { toWic } = await call(opusOnly, () => imsAnswer(101));
    // rtpengine translates the events between the WIC's clock rate and the IMS side's.
    expect(codecsOf(toWic)).toEqual(['111 opus/48000', '110 telephone-event/48000']);
  });
});
