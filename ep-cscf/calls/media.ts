/**
 * What the eP-CSCF needs from the eIMS-AGW (TS 23.334 §5.20): SDP rewritten per direction so
 * media is anchored, and sessions released. `wic` is the WebRTC client side (W3), `ims` the core
 * side. Implemented by eims-agw/ over rtpengine; a passthrough when media is not anchored.
 */
export type MediaSide = 'wic' | 'ims';

export interface MediaOffer {
  callId: string;
  fromTag: string;
  sdp: string;
  from: MediaSide;
  to: MediaSide;
}

export interface MediaAnswer extends MediaOffer {
  toTag: string;
}

export interface MediaGateway {
  offer(o: MediaOffer): Promise<string>;
  answer(o: MediaAnswer): Promise<string>;
  delete(o: { callId: string; fromTag?: string; toTag?: string }): Promise<void>;
}

/**
 * Why media could not be set up, and the status to answer: 488 (malformed SDP, no usable media,
 * with a Warning, RFC 3261 §21.4.26), 503 (no media gateway reachable, with Retry-After) or 500.
 */
export class MediaError extends Error {
  constructor(
    readonly status: 488 | 500 | 503,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** No anchoring: the SDP passes end to end (WIC↔WIC end-to-end mode, or no eIMS-AGW configured). */
export const passthroughMedia: MediaGateway = {
  offer: async (o) => o.sdp,
  answer: async (o) => o.sdp,
  delete: async () => undefined,
};
