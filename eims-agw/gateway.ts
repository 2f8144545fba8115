/**
 * The media gateway the eP-CSCF calls: offer/answer in, rewritten SDP out, and delete when a
 * call or one of its branches ends. It checks the SDP, applies the media policy, picks the
 * call's rtpengine from the pool and keeps the pool's pins in step with rtpengine's calls.
 *
 * Tags follow rtpengine's model: `fromTag` is the tag of the party that sent the offer and
 * `toTag` the tag of the party answering it, so for a re-INVITE from the callee they are the
 * other way round from the dialog's From/To.
 */
import type { Logger } from 'pino';
import { MediaError, RtpengineRejected, RtpengineTimeout } from './errors.ts';
import { answerPlan, type MediaPlan, type MediaPolicy, offerPlan, type Side } from './media-policy.ts';
import type { QueryReply } from './ng/messages.ts';
import type { NgApi } from './ng/ng-client.ts';
import {
  answerRenumbering,
  type PayloadMap,
  renumberPayloads,
  renumbers,
  reverseRenumbering,
  type SectionCodecs,
  type SectionFormats,
  sectionCodecs,
  sectionFormats,
} from './payload-renumber.ts';
import type { PinnedCall, RtpenginePool } from './pool.ts';
import { checkSdp, type SdpSummary } from './sdp-check.ts';
import { addTlsId, newTlsId, stripTlsId } from './sdp-edit.ts';

export interface OfferInput {
  readonly callId: string;
  /** Tag of the party sending the offer. */
  readonly fromTag: string;
  readonly sdp: string;
  readonly from: Side;
  readonly to: Side;
  /** Branch of the request carrying the offer (forking: one branch per fork). */
  readonly viaBranch?: string;
}

export interface AnswerInput extends OfferInput {
  /** Tag of the party sending the answer. */
  readonly toTag: string;
}

export interface DeleteInput {
  readonly callId: string;
  readonly fromTag?: string;
  /** With a toTag only that branch (e.g. one fork's early dialog) is deleted. */
  readonly toTag?: string;
  readonly viaBranch?: string;
}

export interface MediaResult {
  readonly sdp: string;
  /** false when the SDP passed untouched (WIC↔WIC end to end, IMS↔IMS). */
  readonly anchored: boolean;
  /** The rtpengine that handled it. */
  readonly rtpengine: string | undefined;
}

export interface MediaGatewayOptions {
  readonly pool: RtpenginePool;
  readonly policy: MediaPolicy;
  readonly logger?: Logger;
  /** Largest SDP accepted (bytes); default 32,768. */
  readonly maxSdpBytes?: number;
}

/** What the gateway remembers about a call beyond its pin (kept on the pin: PinnedCall.notes). */
export interface CallNotes {
  /** The WIC's offer carried a=tls-id (RFC 8842): our SDP toward it carries one too. */
  wicOfferedTlsId: boolean;
  /**
   * Ours, the same for the whole call (a new value would announce a new DTLS association); made
   * when first needed: most WICs (Chrome) send none, and 20 random bytes per call add up.
   */
  tlsId: string | undefined;
  /**
   * The last offer's payload types: the numbers its sender wrote (all an answer's renumbering
   * back needs of it), and the codecs as the answerer got it.
   */
  lastOffer?: { readonly sent: readonly SectionFormats[]; readonly received: readonly SectionCodecs[] };
}

export class MediaGateway {
  readonly #pool: RtpenginePool;
  readonly #policy: MediaPolicy;
  readonly #plans = new Map<string, MediaPlan>();
  readonly #logger: Logger | undefined;
  readonly #maxSdpBytes: number | undefined;

  constructor(options: MediaGatewayOptions) {
    this.#pool = options.pool;
    this.#policy = options.policy;
    this.#logger = options.logger;
    this.#maxSdpBytes = options.maxSdpBytes;
  }

  /** Throws UnsatisfiableSdp (488) for SDP rtpengine could not anchor; calls nothing. */
  check(sdp: string): SdpSummary {
    return checkSdp(sdp, this.#maxSdpBytes === undefined ? {} : { maxBytes: this.#maxSdpBytes });
  }

  /** The policy's plan for each direction, worked out once (the policy does not change). */
  #plan(kind: 'offer' | 'answer', from: Side, to: Side): MediaPlan {
    const key = `${kind} ${from} ${to}`;
    let plan = this.#plans.get(key);
    if (plan === undefined) {
      plan = kind === 'offer' ? offerPlan(this.#policy, from, to) : answerPlan(this.#policy, from, to);
      this.#plans.set(key, plan);
    }
    return plan;
  }

  async offer(input: OfferInput): Promise<MediaResult> {
    const summary = this.check(input.sdp);
    const plan = this.#plan('offer', input.from, input.to);
    if (plan.kind === 'bypass') return { sdp: input.sdp, anchored: false, rtpengine: undefined };
    const isNew = this.#pool.lookup(input.callId) === undefined;
    const pin = this.#pool.acquire(input.callId);
    const reply = await this.#call(pin, isNew, (api) =>
      api.offer({
        ...plan.options,
        callId: input.callId,
        fromTag: input.fromTag,
        sdp: input.sdp,
        viaBranch: input.viaBranch,
      }),
    );
    const notes = this.#note(pin);
    if (input.from === 'wic') notes.wicOfferedTlsId = summary.hasTlsId;
    const sdp = this.#finish(reply.sdp, input.to, pin);
    notes.lastOffer = { sent: sectionFormats(input.sdp), received: sectionCodecs(sdp) };
    return { sdp, anchored: true, rtpengine: pin.instance.address };
  }

  async answer(input: AnswerInput): Promise<MediaResult> {
    this.check(input.sdp);
    const plan = this.#plan('answer', input.from, input.to);
    if (plan.kind === 'bypass') return { sdp: input.sdp, anchored: false, rtpengine: undefined };
    // An answer for a call never offered here goes to a chosen instance, which says so.
    const isNew = this.#pool.lookup(input.callId) === undefined;
    const pin = this.#pool.acquire(input.callId);
    const renumbering = this.#renumbering(pin, input);
    const reply = await this.#call(pin, isNew, (api) =>
      api.answer({
        ...plan.options,
        callId: input.callId,
        fromTag: input.fromTag,
        toTag: input.toTag,
        sdp: renumberPayloads(input.sdp, renumbering.toRtpengine),
        viaBranch: input.viaBranch,
      }),
    );
    const sdp = renumberPayloads(reply.sdp, renumbering.toOfferer);
    return { sdp: this.#finish(sdp, input.to, pin), anchored: true, rtpengine: pin.instance.address };
  }

  /**
   * Ends a call's media (no toTag) or one branch of it. Resolves `deleted: false` when the call
   * was never anchored here or rtpengine had already forgotten it.
   */
  async delete(input: DeleteInput): Promise<{ readonly deleted: boolean }> {
    // Sent also when the pool holds the instance down: it may only have been slow to answer a
    // ping, and a delete not sent would leave the session there until rtpengine's own timeout.
    const pin = this.#pool.pinned(input.callId);
    if (pin === undefined) return { deleted: false };
    const wholeCall = input.toTag === undefined && input.viaBranch === undefined;
    try {
      await this.#call(pin, false, (api) => api.delete(input));
    } catch (error) {
      if (error instanceof RtpengineRejected && error.unknownCall) {
        this.#pool.release(input.callId);
        return { deleted: false };
      }
      // The whole call's delete unreachable or unanswered: nothing more will be sent for it.
      if (wholeCall && !(error instanceof RtpengineRejected)) this.#pool.release(input.callId);
      throw error;
    }
    if (wholeCall) this.#pool.release(input.callId);
    else if ((await this.query(input.callId)) === undefined) this.#pool.release(input.callId);
    return { deleted: true };
  }

  /** rtpengine's view of a call (tags, protocols, packet counters), or undefined if unknown. */
  async query(callId: string): Promise<QueryReply | undefined> {
    const pin = this.#pool.lookup(callId);
    if (pin === undefined) return undefined;
    try {
      return await this.#call(pin, false, (api) => api.query({ callId }));
    } catch (error) {
      if (error instanceof RtpengineRejected && error.unknownCall) {
        this.#pool.release(callId);
        return undefined;
      }
      throw error;
    }
  }

  /** Calls anchored now, across the pool. */
  get activeCalls(): number {
    return this.#pool.activeCalls;
  }

  async #call<T>(pin: PinnedCall, isNew: boolean, send: (api: NgApi) => Promise<T>): Promise<T> {
    try {
      return await send(pin.instance);
    } catch (error) {
      this.#pool.reportFailure(pin.instance, error);
      // A new call that failed is not left pinned: a retry may go to another instance.
      if (isNew) {
        this.#pool.release(pin.callId);
        // A request that timed out may still have been carried out, late (a busy rtpengine):
        // the call is deleted there too, so that no session outlives the failed call.
        if (error instanceof RtpengineTimeout)
          pin.instance
            .delete({ callId: pin.callId })
            .catch((e: unknown) =>
              this.#logger?.debug({ callId: pin.callId, err: String(e) }, 'delete after a timeout failed'),
            );
      }
      if (error instanceof MediaError)
        this.#logger?.warn(
          { callId: pin.callId, rtpengine: pin.instance.address, code: error.code },
          `media control failed: ${error.message}`,
        );
      throw error;
    }
  }

  #note(pin: PinnedCall): CallNotes {
    pin.notes ??= { wicOfferedTlsId: false, tlsId: undefined };
    return pin.notes;
  }

  /**
   * An answer that gives a codec of the offer another dynamic payload type (RFC 3264 §6.1) is
   * renumbered to the offer's numbers for rtpengine, which would drop the codec otherwise, and
   * rtpengine's answer to the offerer back to the answerer's numbers, so the offerer sends what
   * the answerer declared it receives (payload-renumber.ts).
   */
  #renumbering(
    pin: PinnedCall,
    input: AnswerInput,
  ): { toRtpengine: readonly PayloadMap[]; toOfferer: readonly PayloadMap[] } {
    const offer = pin.notes?.lastOffer;
    if (offer === undefined) return { toRtpengine: [], toOfferer: [] };
    const toRtpengine = answerRenumbering(offer.received, input.sdp);
    if (!renumbers(toRtpengine)) return { toRtpengine: [], toOfferer: [] };
    const toOfferer = reverseRenumbering(toRtpengine, offer.sent);
    // Built only when it is written: every call whose answer renumbers would pay for it.
    if (this.#logger?.isLevelEnabled('debug') === true)
      this.#logger.debug(
        {
          callId: input.callId,
          answerer: input.from,
          payloadTypes: toRtpengine.map((map) => Object.fromEntries(map)),
          toOfferer: toOfferer.map((map) => Object.fromEntries(map)),
        },
        'answer renumbers payload types of the offer',
      );
    return { toRtpengine, toOfferer };
  }

  /** Last touches rtpengine 10 does not make: a=tls-id per RFC 8842 on the DTLS side only. */
  #finish(sdp: string, to: Side, pin: PinnedCall): string {
    if (to === 'ims') return stripTlsId(sdp);
    const notes = pin.notes;
    if (notes?.wicOfferedTlsId !== true) return sdp;
    notes.tlsId ??= newTlsId();
    return addTlsId(sdp, notes.tlsId);
  }
}
