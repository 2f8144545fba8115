/**
 * The media policy against a real rtpengine (user space, loopback, --delete-delay=0): what
 * each side receives after the gateway rewrote an offer or an answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortAllocator } from '../conformance/harness/ports.ts';
import { printPeerOutputOnFailure } from '../conformance/harness/vitest-hooks.ts';
import { type Rtpengine, startRtpengine } from '../conformance/rtpengine/rtpengine.ts';
import { UnsatisfiableSdp } from './errors.ts';
import type { MediaGateway } from './gateway.ts';
import { DEFAULT_POLICY } from './media-policy.ts';
import { NgClient } from './ng/ng-client.ts';
import {
  browserAnswer,
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
let admin: NgClient;
let chrome: string;
let seq = 0;
const callId = (name: string) => `${name}-${process.pid}-${++seq}`;

/** The IMS side's answer (tag i) to the WIC's offer (tag w) in call `id`. */
const imsAnswers = (gateway: MediaGateway, id: string) =>
  gateway.answer({ callId: id, fromTag: 'w', toTag: 'i', sdp: imsSdp(sink.port), from: 'ims', to: 'wic' });

/** No ICE, DTLS, SDES or WebRTC-only attribute may reach the IMS side. */
const WEBRTC_ONLY =
  /^a=(candidate|ice-ufrag|ice-pwd|ice-options|ice-lite|end-of-candidates|fingerprint|setup|tls-id|crypto|rtcp-mux|extmap)\b/;

describe('media gateway with rtpengine', () => {
  printPeerOutputOnFailure(() => [rtpengine]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    rtpengine = await startRtpengine({ ports });
    sink = await openSink();
    live = await liveGateway([{ host: rtpengine.host, port: rtpengine.ngPort }]);
    admin = new NgClient({ host: rtpengine.host, port: rtpengine.ngPort });
    chrome = onLoopback(vector('aiortc/audio_chrome.sdp'), sink.port);
  });
  afterAll(async () => {
    await live?.close();
    await admin?.close();
    await sink?.close();
    await rtpengine?.stop();
    await ports?.close();
  });

  const inRange = (port: number) => port >= rtpengine.mediaPorts.min && port <= rtpengine.mediaPorts.max;

  it("[TS23334-6.2.10-ims-side-rtpavp] MUST send a WIC offer to IMS as RTP/AVP at rtpengine's address, without ICE, DTLS, fingerprint or rtcp-mux", async () => {
    const id = callId('wic2ims');
    const out = await live.gateway.offer({
      callId: id,
      fromTag: 'wic-tag',
      sdp: chrome,
      from: 'wic',
      to: 'ims',
    });
    expect(out.anchored).toBe(true);
    const { media, session, lines, codecs } = inspect(out.sdp);
    expect(media.protocol).toBe('RTP/AVP');
    expect((media.connection ?? session.connection)?.ip).toBe(rtpengine.host);
    expect(inRange(media.port)).toBe(true);
    expect(media.port).not.toBe(sink.port);
    expect(lines.filter((l) => WEBRTC_ONLY.test(l))).toEqual([]);
    expect(session.fingerprint).toBeUndefined();
    // RTCP on its own port toward IMS (demuxed).
    expect(media.rtcp?.port).toBe(media.port + 1);
    expect(codecs).toEqual(
      expect.arrayContaining(['PCMA/8000', 'PCMU/8000', 'G722/8000', 'telephone-event/8000']),
    );
    await live.gateway.delete({ callId: id });
  });

  it('[TS23334-5.20.1-transcoding] MUST offer PCMA/PCMU/G.722 and telephone-event toward IMS by transcoding when the WIC offers only Opus, and keep Opus toward the WIC', async () => {
    const id = callId('opus-only');
    const opusOnly = chrome
      .replace(/^(m=audio \d+ UDP\/TLS\/RTP\/SAVPF) .*$/m, '$1 111')
      .split('\r\n')
      .filter((l) => !/^a=(rtpmap|fmtp|rtcp-fb):(?!111 )/.test(l))
      .join('\r\n');
    expect(inspect(opusOnly).codecs).toEqual(['opus/48000']);
    const offer = await live.gateway.offer({
      callId: id,
      fromTag: 'w',
      sdp: opusOnly,
      from: 'wic',
      to: 'ims',
    });
    const toIms = inspect(offer.sdp);
    expect(toIms.codecs).toEqual(
      expect.arrayContaining(['PCMA/8000', 'PCMU/8000', 'G722/8000', 'telephone-event/8000']),
    );

    const answer = await live.gateway.answer({
      callId: id,
      fromTag: 'w',
      toTag: 'ims',
      sdp: imsSdp(sink.port, 'PCMA'),
      from: 'ims',
      to: 'wic',
    });
    const toWic = inspect(answer.sdp);
    expect(toWic.media.protocol).toBe('UDP/TLS/RTP/SAVPF');
    expect(toWic.codecs).toEqual(['opus/48000']);
    await live.gateway.delete({ callId: id });
  });

  it("[TS23334-6.2.10-wic-side-savpf] MUST answer the WIC in UDP/TLS/RTP/SAVPF with rtpengine's ICE candidates, a fingerprint, a=setup and rtcp-mux, without SDES", async () => {
    const id = callId('ims-answer');
    await live.gateway.offer({
      callId: id,
      fromTag: 'w',
      sdp: onLoopback(vector('sdp-transform/jssip.sdp'), sink.port),
      from: 'wic',
      to: 'ims',
    });
    const answer = await live.gateway.answer({
      callId: id,
      fromTag: 'w',
      toTag: 'ims',
      sdp: imsSdp(sink.port, 'PCMA'),
      from: 'ims',
      to: 'wic',
    });
    const { media, session, lines, codecs } = inspect(answer.sdp);
    expect(media.protocol).toBe('UDP/TLS/RTP/SAVPF');
    expect(media.candidates?.length).toBeGreaterThan(0);
    for (const c of media.candidates ?? []) {
      expect(c.ip).toBe(rtpengine.host);
      expect(inRange(c.port)).toBe(true);
    }
    expect(media.iceUfrag).toMatch(/.{4,}/);
    expect(media.icePwd).toMatch(/.{22,}/);
    expect((media.fingerprint ?? session.fingerprint)?.type).toBe('sha-256');
    expect(media.setup).toBe('active');
    expect(media.rtcpMux).toBe('rtcp-mux');
    expect(lines.some((l) => l.startsWith('a=crypto:'))).toBe(false);
    expect(codecs[0]).toBe('PCMA/8000');
    await live.gateway.delete({ callId: id });
  });

  it("[TS23334-6.2.10-dtls-setup] MUST take the DTLS role from the WIC offer's a=setup: actpass gives active, active gives passive, passive gives active", async () => {
    const roles: Record<string, string | undefined> = {};
    for (const setup of ['actpass', 'active', 'passive'] as const) {
      const id = callId(`setup-${setup}`);
      const sdp = chrome.replace('a=setup:actpass', `a=setup:${setup}`);
      await live.gateway.offer({ callId: id, fromTag: 'w', sdp, from: 'wic', to: 'ims' });
      const answer = await imsAnswers(live.gateway, id);
      roles[setup] = inspect(answer.sdp).media.setup;
      await live.gateway.delete({ callId: id });
    }
    expect(roles).toEqual({ actpass: 'active', active: 'passive', passive: 'active' });
  });

  it("[TS23334-6.2.10-wic-side-savpf] MUST send an IMS RTP/AVP offer to the WIC as UDP/TLS/RTP/SAVPF with ICE, DTLS actpass, rtcp-mux and a=mid, and the browser's answer back as RTP/AVP", async () => {
    const id = callId('ims2wic');
    const offer = await live.gateway.offer({
      callId: id,
      fromTag: 'ims',
      sdp: imsSdp(sink.port),
      from: 'ims',
      to: 'wic',
    });
    const toWic = inspect(offer.sdp);
    expect(toWic.media.protocol).toBe('UDP/TLS/RTP/SAVPF');
    expect(toWic.media.candidates?.[0]?.ip).toBe(rtpengine.host);
    expect((toWic.media.fingerprint ?? toWic.session.fingerprint)?.hash).toMatch(
      /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/,
    );
    expect(toWic.media.setup).toBe('actpass');
    expect(toWic.media.rtcpMux).toBe('rtcp-mux');
    expect(toWic.media.mid).toBeDefined();
    expect(toWic.codecs).toEqual(expect.arrayContaining(['PCMA/8000', 'telephone-event/8000', 'opus/48000']));

    const answer = await live.gateway.answer({
      callId: id,
      fromTag: 'ims',
      toTag: 'browser',
      sdp: browserAnswer(offer.sdp, sink.port),
      from: 'wic',
      to: 'ims',
    });
    const toIms = inspect(answer.sdp);
    expect(toIms.media.protocol).toBe('RTP/AVP');
    expect(toIms.lines.filter((l) => WEBRTC_ONLY.test(l))).toEqual([]);
    expect(toIms.codecs).toEqual(['PCMA/8000', 'telephone-event/8000']);
    const query = await live.gateway.query(id);
    expect(query?.tags.map((t) => t.protocols[0]).sort()).toEqual(['RTP/AVP', 'UDP/TLS/RTP/SAVPF']);
    await live.gateway.delete({ callId: id });
  });

  it('[TS23334-6.2.10-tls-id] MUST answer a WIC offer carrying a=tls-id with a new tls-id, and send none toward IMS', async () => {
    const id = callId('tls-id');
    const sdp = chrome.replace('a=mid:audio', 'a=mid:audio\r\na=tls-id:0123456789abcdefghij');
    const offer = await live.gateway.offer({ callId: id, fromTag: 'w', sdp, from: 'wic', to: 'ims' });
    expect(offer.sdp).not.toMatch(/a=tls-id/);
    const answer = await imsAnswers(live.gateway, id);
    const tlsId = /^a=tls-id:(\S+)$/m.exec(answer.sdp)?.[1];
    expect(tlsId).toMatch(/^[A-Za-z0-9_-]{20,255}$/);
    expect(tlsId).not.toBe('0123456789abcdefghij');
    // A re-offer in the same call keeps the same DTLS association: the same tls-id (RFC 8842 §5).
    await live.gateway.offer({ callId: id, fromTag: 'w', sdp, from: 'wic', to: 'ims' });
    const again = await imsAnswers(live.gateway, id);
    expect(/^a=tls-id:(\S+)$/m.exec(again.sdp)?.[1]).toBe(tlsId);
    await live.gateway.delete({ callId: id });
  });

  it('[TS23334-5.20.1-ice-lite] MUST announce ICE-lite toward the WIC when configured', async () => {
    const lite = await liveGateway([{ host: rtpengine.host, port: rtpengine.ngPort }], {
      ...DEFAULT_POLICY,
      ice: 'lite',
    });
    try {
      const id = callId('lite');
      await lite.gateway.offer({ callId: id, fromTag: 'w', sdp: chrome, from: 'wic', to: 'ims' });
      const answer = await imsAnswers(lite.gateway, id);
      expect(inspect(answer.sdp).session.icelite).toBe('ice-lite');
      await lite.gateway.delete({ callId: id });
      const fullId = callId('full');
      const full = await live.gateway.offer({
        callId: fullId,
        fromTag: 'i',
        sdp: imsSdp(sink.port),
        from: 'ims',
        to: 'wic',
      });
      expect(inspect(full.sdp).session.icelite).toBeUndefined();
      await live.gateway.delete({ callId: fullId });
    } finally {
      await lite.close();
    }
  });

  it('[TS23334-6.2.10-wic-to-wic] MUST anchor WIC to WIC calls with SAVPF on both legs, or leave the SDP untouched end to end, as configured', async () => {
    const id = callId('wic2wic');
    const anchored = await live.gateway.offer({
      callId: id,
      fromTag: 'a',
      sdp: chrome,
      from: 'wic',
      to: 'wic',
    });
    const out = inspect(anchored.sdp);
    expect(anchored.anchored).toBe(true);
    expect(out.media.protocol).toBe('UDP/TLS/RTP/SAVPF');
    expect(out.media.candidates?.every((c) => c.ip === rtpengine.host && inRange(c.port))).toBe(true);
    const answer = await live.gateway.answer({
      callId: id,
      fromTag: 'a',
      toTag: 'b',
      sdp: browserAnswer(anchored.sdp, sink.port),
      from: 'wic',
      to: 'wic',
    });
    expect(inspect(answer.sdp).media.protocol).toBe('UDP/TLS/RTP/SAVPF');
    expect(inspect(answer.sdp).media.candidates?.[0]?.ip).toBe(rtpengine.host);
    await live.gateway.delete({ callId: id });

    const e2e = await liveGateway([{ host: rtpengine.host, port: rtpengine.ngPort }], {
      ...DEFAULT_POLICY,
      wicToWic: 'end-to-end',
    });
    try {
      const direct = await e2e.gateway.offer({
        callId: callId('e2e'),
        fromTag: 'a',
        sdp: chrome,
        from: 'wic',
        to: 'wic',
      });
      expect(direct).toEqual({ sdp: chrome, anchored: false, rtpengine: undefined });
      expect(e2e.exchanges.filter((e) => e.command !== 'ping')).toEqual([]);
    } finally {
      await e2e.close();
    }
  });

  it('[RFC3261-21.4.26-unsatisfiable-sdp] MUST refuse malformed SDP with UnsatisfiableSdp (488) without calling rtpengine', async () => {
    const before = live.exchanges.length;
    const error = await live.gateway
      .offer({
        callId: callId('bad'),
        fromTag: 'w',
        sdp: vector('sdp-transform/invalid.sdp'),
        from: 'wic',
        to: 'ims',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsatisfiableSdp);
    expect((error as UnsatisfiableSdp).sipStatus).toBe(488);
    expect((error as UnsatisfiableSdp).warning).toMatch(/malformed SDP line/);
    expect(live.exchanges.length).toBe(before);
    expect(live.pool.activeCalls).toBe(0);
  });

  it('[DESIGN-media-no-leak] MUST leave no rtpengine session behind once every call of this suite was deleted', async () => {
    expect((await admin.list()).calls).toEqual([]);
    expect(live.pool.activeCalls).toBe(0);
  });
});
