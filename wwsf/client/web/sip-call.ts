/**
 * One call, on one JsSIP RTCSession (RFC 3261 §13 INVITE dialog): its events become PhoneEvents
 * for the call's id, and the verbs a person uses during it — answer, decline, hang up, mute,
 * hold (RFC 3264 §8.4), DTMF (RFC 4733), camera off/on (call-video.ts) — act on it alone. The
 * call owns its local media (local-media.ts) and stops it when it ends.
 */
import { C, type UA } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import { offersVideo, rejectVideoInAnswer, switchCamera, videoOf } from './call-video.ts';
import type { Failure } from './failures.ts';
import { LocalMedia, type LocalMediaOptions } from './local-media.ts';
import type { PhoneEvent } from './phone-state.ts';
import { callFailure, watchPeerConnection } from './sip-events.ts';

export interface SipCallOptions {
  readonly iceServers: readonly RTCIceServer[];
  readonly dispatch: (event: PhoneEvent) => void;
  /** the call's `remoteStream` or `preview` changed */
  readonly onMedia: (call: SipCall) => void;
  /** getUserMedia; rejects with a DOMException the user is told about */
  readonly openMedia: LocalMediaOptions['open'];
  readonly now: () => number;
  /** a call exists (before its `call-started` event) */
  readonly onCreated: (call: SipCall) => void;
  /** the call is over (before its `call-ended` event) */
  readonly onEnded: (call: SipCall) => void;
}

type By = 'local' | 'remote' | 'system';
const by = (originator: string): By =>
  originator === 'local' ? 'local' : originator === 'remote' ? 'remote' : 'system';

export class SipCall {
  readonly id: string;
  private readonly media: LocalMedia;
  /** the INVITE offered video (incoming) / we offered it (outgoing) */
  private readonly videoOffered: boolean;
  private remote: MediaStream | undefined;

  private constructor(
    private readonly session: RTCSession,
    private readonly o: SipCallOptions,
    media: LocalMedia,
    videoOffered: boolean,
  ) {
    this.id = session.id;
    this.media = media;
    this.videoOffered = videoOffered;
    media.onChange = () => o.onMedia(this);
    o.onCreated(this);
    this.follow();
  }

  private static localMedia(o: SipCallOptions): LocalMedia {
    return new LocalMedia({
      open: o.openMedia,
      onFailure: (failure) => o.dispatch({ type: 'failure', failure }),
    });
  }

  /** The other side's media (audio and video tracks). */
  get remoteStream(): MediaStream | undefined {
    return this.remote;
  }

  /** Our camera's picture, while it is on. */
  get preview(): MediaStream | undefined {
    return this.media.preview;
  }

  /** An INVITE received: the call rings (`call-started`, incoming). */
  static incoming(session: RTCSession, body: string | undefined, o: SipCallOptions): SipCall {
    const video = offersVideo(body);
    const call = new SipCall(session, o, SipCall.localMedia(o), video);
    o.dispatch({
      type: 'call-started',
      id: call.id,
      direction: 'incoming',
      peer: session.remote_identity.uri.toString(),
      at: o.now(),
      video,
    });
    return call;
  }

  /**
   * INVITE `target` with the microphone, and the camera for a video call (audio only, the user
   * told why, when the camera cannot be had). Undefined when no call could be placed.
   */
  static async outgoing(
    ua: UA,
    target: string,
    video: boolean,
    o: SipCallOptions,
    stillWanted: () => boolean,
  ): Promise<SipCall | undefined> {
    const media = SipCall.localMedia(o);
    const taken = await media.take(video);
    if (taken === undefined) return undefined;
    if (!stillWanted()) {
      media.release();
      return undefined;
    }
    let session: RTCSession;
    try {
      session = ua.call(target, mediaOptions(o, taken.stream, taken.video));
    } catch (error) {
      media.release();
      const cause = error instanceof Error ? error.message : 'Internal Error';
      o.dispatch({ type: 'failure', failure: { kind: 'call', cause, status: undefined, reason: undefined } });
      return undefined;
    }
    const call = new SipCall(session, o, media, taken.video);
    // JsSIP emitted `peerconnection` inside call(), before follow(): watch the connection now.
    if (session.connection !== undefined && session.connection !== null) call.watch(session.connection);
    o.dispatch({
      type: 'call-started',
      id: session.id,
      direction: 'outgoing',
      peer: target,
      at: o.now(),
      video: taken.video,
    });
    return call;
  }

  /** Wires the session's events to the state. */
  private follow(): void {
    const { dispatch } = this.o;
    const { session, id } = this;
    const end = (who: By, failure: Failure | undefined) => {
      this.media.release();
      this.remote = undefined;
      this.o.onEnded(this);
      dispatch({
        type: 'call-ended',
        id,
        at: this.o.now(),
        by: who,
        ...(failure === undefined ? {} : { failure }),
      });
    };
    session.on('peerconnection', (e) => this.watch(e.peerconnection));
    session.on('progress', () => {
      if (session.direction === 'outgoing') dispatch({ type: 'call-ringing', id });
    });
    session.on('confirmed', () => dispatch({ type: 'call-confirmed', id, at: this.o.now() }));
    session.on('ended', (e) => end(by(e.originator), callFailure(e.cause, e.originator, e.message)));
    session.on('failed', (e) => end(by(e.originator), callFailure(e.cause, e.originator, e.message)));
    const holdChanged = () => {
      const h = session.isOnHold();
      dispatch({ type: 'hold-changed', id, local: h.local, remote: h.remote });
    };
    session.on('hold', holdChanged);
    session.on('unhold', holdChanged);
    const muteChanged = () => dispatch({ type: 'mute-changed', id, muted: session.isMuted().audio === true });
    session.on('muted', muteChanged);
    session.on('unmuted', muteChanged);
  }

  /** The peer connection's tracks, tones and, after each offer/answer, the video stream. */
  private watch(pc: RTCPeerConnection): void {
    watchPeerConnection(this.id, pc, {
      dispatch: this.o.dispatch,
      onRemoteStream: (stream) => {
        this.remote = stream;
        this.o.onMedia(this);
      },
      onNegotiated: () => {
        const video = videoOf(pc);
        // Rejected (port 0) or gone: the camera is of no use any more.
        if (!video.negotiated) this.media.stopCamera();
        this.o.dispatch({ type: 'video-changed', id: this.id, ...video });
      },
    });
  }

  /**
   * 200 OK to the ringing INVITE. With `video` (and a video offer) the camera is sent too; else a
   * video offer is answered with the video stream rejected (port 0, RFC 3264 §6): an audio call.
   */
  async answer(video: boolean): Promise<void> {
    const { session, id } = this;
    if (session.direction !== 'incoming') return;
    this.o.dispatch({ type: 'call-answering', id });
    const taken = await this.media.take(video && this.videoOffered);
    if (taken === undefined) {
      // RFC 3261 §21.4.18: we cannot take this call without a microphone.
      if (!session.isEnded())
        session.terminate({ status_code: 480, reason_phrase: 'Microphone Unavailable' });
      return;
    }
    if (session.isEnded()) {
      this.media.release();
      return;
    }
    if (taken.video) this.o.dispatch({ type: 'camera-changed', id, on: true });
    else if (this.videoOffered) rejectVideoInAnswer(session);
    session.answer(mediaOptions(this.o, taken.stream, taken.video));
  }

  /** 603 Decline to an incoming call (RFC 3261 §21.6.2). */
  decline(): void {
    if (!this.session.isEnded()) this.session.terminate({ status_code: 603, reason_phrase: 'Decline' });
  }

  /** BYE, or CANCEL while it rings. */
  hangup(): void {
    if (!this.session.isEnded()) this.session.terminate();
  }

  setMuted(muted: boolean): void {
    if (muted) this.session.mute({ audio: true });
    else this.session.unmute({ audio: true });
  }

  /** re-INVITE with a=sendonly / a=sendrecv (RFC 3264 §8.4); resolves when answered. */
  setHeld(held: boolean): Promise<boolean> {
    const session = this.session;
    return new Promise((resolve) => {
      const started = held ? session.hold({}, () => resolve(true)) : session.unhold({}, () => resolve(true));
      if (!started) resolve(false);
    });
  }

  /**
   * Camera off (the track replaced by none and stopped) or on (a new camera track), each told to
   * the other side by re-INVITE (call-video.ts). False when not possible now: no video stream,
   * on hold, another offer in progress, or the camera refused.
   */
  async setCamera(on: boolean): Promise<boolean> {
    const session = this.session;
    if (!session.isEstablished() || !session.isReadyToReOffer() || session.isOnHold().local) return false;
    const track = on ? await this.media.openCamera() : null;
    if (track === undefined || session.isEnded()) return false;
    if (!on) this.media.stopCamera();
    this.o.dispatch({ type: 'camera-changed', id: this.id, on });
    return switchCamera(session, track);
  }

  /** DTMF as RFC 4733 telephone-events in the audio RTP stream. */
  sendDtmf(tone: string): void {
    try {
      this.session.sendDTMF(tone, {
        transportType: C.DTMF_TRANSPORT.RFC2833,
        duration: 120,
        interToneGap: 70,
      });
    } catch {
      // not in a state to send (e.g. still ringing): nothing is sent, nothing is shown
    }
  }

  /** getStats() of the call's peer connection, or undefined. */
  async stats(): Promise<Record<string, unknown>[] | undefined> {
    const pc = this.session.connection;
    if (pc === undefined || pc === null) return undefined;
    const report = await pc.getStats();
    const entries: Record<string, unknown>[] = [];
    report.forEach((value: unknown) => {
      if (typeof value === 'object' && value !== null) entries.push(value as Record<string, unknown>);
    });
    return entries;
  }
}

function mediaOptions(o: SipCallOptions, stream: MediaStream, video: boolean) {
  return {
    mediaStream: stream,
    mediaConstraints: { audio: true, video },
    pcConfig: { iceServers: [...o.iceServers] },
    rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: video },
  };
}
