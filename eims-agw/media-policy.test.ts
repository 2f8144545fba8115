import { describe, expect, it } from 'vitest';
import { answerPlan, DEFAULT_POLICY, type MediaPlan, offerPlan } from './media-policy.ts';
import { offerDict } from './ng/messages.ts';

const options = (plan: MediaPlan) => (plan.kind === 'anchor' ? plan.options : undefined);

describe('media policy', () => {
  it('[TS23334-6.2.10-ims-side-rtpavp] MUST ask rtpengine for RTP/AVP without ICE, DTLS or SDES, RTCP demuxed, toward IMS', () => {
    const offer = options(offerPlan(DEFAULT_POLICY, 'wic', 'ims'));
    expect(offer).toMatchObject({
      transportProtocol: 'RTP/AVP',
      ice: 'remove',
      dtls: 'off',
      sdes: ['off'],
      rtcpMux: ['demux'],
    });
    expect(options(answerPlan(DEFAULT_POLICY, 'wic', 'ims'))).toMatchObject({
      transportProtocol: 'RTP/AVP',
      ice: 'remove',
      dtls: 'off',
    });
  });

  it('[TS23334-6.2.10-wic-side-savpf] MUST ask rtpengine for UDP/TLS/RTP/SAVPF with forced ICE, no SDES, rtcp-mux required and mids toward a WIC, leaving the DTLS role to the offer', () => {
    const offer = options(offerPlan(DEFAULT_POLICY, 'ims', 'wic'));
    expect(offer).toMatchObject({
      transportProtocol: 'UDP/TLS/RTP/SAVPF',
      ice: 'force',
      sdes: ['off'],
      rtcpMux: ['require'],
      flags: ['generate mid'],
    });
    expect(offer?.dtls).toBeUndefined();
    const answer = options(answerPlan(DEFAULT_POLICY, 'ims', 'wic'));
    expect(answer).toMatchObject({ transportProtocol: 'UDP/TLS/RTP/SAVPF', ice: 'force', sdes: ['off'] });
    expect(answer?.dtls).toBeUndefined();
  });

  it('[TS23334-5.20.1-transcoding] MUST transcode toward IMS the configured codecs, masked ones held back, and offer the WIC codecs toward a WIC', () => {
    const policy = { ...DEFAULT_POLICY, imsMask: ['opus'] };
    expect(options(offerPlan(policy, 'wic', 'ims'))?.codec).toEqual({
      transcode: ['PCMA', 'PCMU', 'G722', 'telephone-event'],
      mask: ['opus'],
    });
    expect(options(offerPlan(policy, 'ims', 'wic'))?.codec).toEqual({ transcode: ['opus'] });
    // Nothing empty reaches rtpengine.
    expect(
      offerDict({
        callId: 'c',
        fromTag: 'f',
        sdp: 'v=0',
        ...options(offerPlan(DEFAULT_POLICY, 'wic', 'ims')),
      }).codec,
    ).toEqual({
      transcode: ['PCMA', 'PCMU', 'G722', 'telephone-event'],
    });
  });

  it('[TS23334-5.20.1-ice-lite] MUST announce ICE-lite toward the WIC side(s) of the offer when configured', () => {
    const lite = { ...DEFAULT_POLICY, ice: 'lite' as const };
    expect(options(offerPlan(lite, 'ims', 'wic'))?.iceLite).toBe('forward');
    expect(options(offerPlan(lite, 'wic', 'ims'))?.iceLite).toBe('backward');
    expect(options(offerPlan(lite, 'wic', 'wic'))?.iceLite).toBe('both');
    expect(options(offerPlan(DEFAULT_POLICY, 'ims', 'wic'))?.iceLite).toBeUndefined();
  });

  it('[TS23334-6.2.10-wic-to-wic] MUST anchor WIC to WIC or pass it end to end as configured, and never anchor IMS to IMS', () => {
    expect(offerPlan(DEFAULT_POLICY, 'wic', 'wic').kind).toBe('anchor');
    expect(options(offerPlan(DEFAULT_POLICY, 'wic', 'wic'))?.transportProtocol).toBe('UDP/TLS/RTP/SAVPF');
    const e2e = { ...DEFAULT_POLICY, wicToWic: 'end-to-end' as const };
    expect(offerPlan(e2e, 'wic', 'wic').kind).toBe('bypass');
    expect(answerPlan(e2e, 'wic', 'wic').kind).toBe('bypass');
    expect(offerPlan(DEFAULT_POLICY, 'ims', 'ims').kind).toBe('bypass');
  });

  it('[DESIGN-media-interfaces] MUST name the rtpengine interfaces of both sides as direction on offers when configured', () => {
    const split = { ...DEFAULT_POLICY, wicInterface: 'pub', imsInterface: 'core' };
    expect(options(offerPlan(split, 'wic', 'ims'))?.direction).toEqual(['pub', 'core']);
    expect(options(offerPlan(split, 'ims', 'wic'))?.direction).toEqual(['core', 'pub']);
    expect(options(offerPlan(DEFAULT_POLICY, 'wic', 'ims'))?.direction).toBeUndefined();
  });
});
