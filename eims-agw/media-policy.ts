/**
 * Which rtpengine options each SDP gets, by the side it comes from and the side it goes to.
 * This file is the whole media policy (TS 23.334 §5.20.1 and §6.2.10, and the WebRTC interop
 * flags of the Kamailio/OpenSIPS rtpengine recipes):
 *
 * - toward a WIC (WebRTC IMS Client): `UDP/TLS/RTP/SAVPF`, rtpengine as the only ICE candidate
 *   (full ICE, or ICE-lite when configured), DTLS-SRTP only (SDES off), RTP/RTCP multiplexed,
 *   `a=mid` generated for browsers that require it. The DTLS role is left to rtpengine, which
 *   follows the offer's `a=setup` (§6.2.10: actpass → we take `active`, active → `passive`,
 *   passive → `active`) and offers `actpass` itself.
 * - toward the IMS core: `RTP/AVP`, no ICE, no DTLS, no SDES, RTCP on its own port, no
 *   `a=extmap`. Offers from a WIC get PCMA/PCMU/G.722 and telephone-event added by transcoding
 *   when the WIC did not offer them (`MEDIA_IMS_CODECS`); codecs in `MEDIA_IMS_MASK` are held
 *   back from the core but still accepted from the WIC, transcoded.
 * - WIC to WIC: anchored (SAVPF on both legs) or end-to-end (rtpengine not involved).
 * - IMS to IMS: not ours to anchor; the SDP passes untouched.
 */
import type { CodecOptions, IceLite, SdpOptions } from './ng/messages.ts';

/** The two kinds of peer the eP-CSCF stands between. */
export type Side = 'wic' | 'ims';

export interface MediaPolicy {
  /** `full`: rtpengine runs full ICE toward WICs; `lite`: it announces ICE-lite (RFC 8445 §2.5). */
  readonly ice: 'full' | 'lite';
  /** WIC↔WIC calls: through rtpengine, or media end to end between the browsers. */
  readonly wicToWic: 'anchor' | 'end-to-end';
  /** Codecs guaranteed in offers toward IMS, added by transcoding when the WIC lacks them. */
  readonly imsCodecs: readonly string[];
  /** Codecs not offered toward IMS but still accepted from the WIC (transcoded). */
  readonly imsMask: readonly string[];
  /** Codecs added by transcoding to offers from IMS toward a WIC (e.g. opus). */
  readonly wicCodecs: readonly string[];
  /** Named rtpengine interfaces per side (`direction`); both or neither. */
  readonly wicInterface?: string;
  readonly imsInterface?: string;
}

export const DEFAULT_POLICY: MediaPolicy = {
  ice: 'full',
  wicToWic: 'anchor',
  imsCodecs: ['PCMA', 'PCMU', 'G722', 'telephone-event'],
  imsMask: [],
  wicCodecs: ['opus'],
};

export type MediaPlan =
  | { readonly kind: 'bypass'; readonly why: string }
  | { readonly kind: 'anchor'; readonly options: SdpOptions };

function bypass(policy: MediaPolicy, from: Side, to: Side): string | undefined {
  if (from === 'ims' && to === 'ims') return 'IMS to IMS media is not anchored here';
  if (from === 'wic' && to === 'wic' && policy.wicToWic === 'end-to-end') return 'WIC to WIC end to end';
  return undefined;
}

/** Options that shape the SDP going to `to` (the same in offers and answers). */
function toward(to: Side): SdpOptions {
  return to === 'wic'
    ? {
        transportProtocol: 'UDP/TLS/RTP/SAVPF',
        ice: 'force',
        sdes: ['off'],
        replace: ['origin', 'session-connection'],
      }
    : {
        transportProtocol: 'RTP/AVP',
        ice: 'remove',
        dtls: 'off',
        sdes: ['off'],
        flags: ['strip extmap'],
        replace: ['origin', 'session-connection'],
      };
}

function iceLite(policy: MediaPolicy, from: Side, to: Side): IceLite | undefined {
  if (policy.ice !== 'lite') return undefined;
  if (from === 'wic' && to === 'wic') return 'both';
  return to === 'wic' ? 'forward' : 'backward';
}

function offerCodecs(policy: MediaPolicy, from: Side, to: Side): CodecOptions | undefined {
  if (from === 'wic' && to === 'ims') return { transcode: policy.imsCodecs, mask: policy.imsMask };
  if (from === 'ims' && to === 'wic') return { transcode: policy.wicCodecs };
  return undefined;
}

function direction(policy: MediaPolicy, from: Side, to: Side): readonly [string, string] | undefined {
  const pick = (side: Side) => (side === 'wic' ? policy.wicInterface : policy.imsInterface);
  const a = pick(from);
  const b = pick(to);
  return a !== undefined && b !== undefined ? [a, b] : undefined;
}

/** The plan for an offer sent by `from` to `to`. */
export function offerPlan(policy: MediaPolicy, from: Side, to: Side): MediaPlan {
  const why = bypass(policy, from, to);
  if (why !== undefined) return { kind: 'bypass', why };
  const base = toward(to);
  return {
    kind: 'anchor',
    options: {
      ...base,
      // Toward a WIC: mux required (browsers refuse separate RTCP), mids for BUNDLE-aware clients.
      // Toward IMS: the WIC's mux is accepted back to it but not offered to the core.
      rtcpMux: to === 'wic' ? ['require'] : ['demux'],
      flags: to === 'wic' ? ['generate mid'] : base.flags,
      iceLite: iceLite(policy, from, to),
      codec: offerCodecs(policy, from, to),
      direction: direction(policy, from, to),
    },
  };
}

/**
 * The plan for an answer sent by `from` (the answerer) back to `to` (the offerer). rtpengine
 * remembers the offer's transport and mux choices; these options restate the target side.
 */
export function answerPlan(policy: MediaPolicy, from: Side, to: Side): MediaPlan {
  const why = bypass(policy, from, to);
  if (why !== undefined) return { kind: 'bypass', why };
  return { kind: 'anchor', options: toward(to) };
}
