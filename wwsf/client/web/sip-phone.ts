/**
 * The SIP side of the web phone, on unmodified JsSIP 3: one UA over the eP-CSCF's SIP
 * WebSocket(s) (RFC 7118), registered with IMS credentials (SIP digest: IMPU as the URI, IMPI as
 * the authorization user) or with a WAF access token (RFC 8898: JsSIP's `authorization_jwt`
 * puts the value verbatim in an Authorization header on every request, so it is given as
 * `Bearer <token>`). JsSIP events become PhoneEvents (phone-state.ts); the commands are verbs.
 * One call at a time: an INVITE while a call exists is answered 486 Busy Here (RFC 3261 §21.4.24).
 */
import { C, UA, WebSocketInterface } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { IncomingMessageEvent, OutgoingMessageEvent, RTCSessionEvent } from 'jssip/lib/UA.js';
import type { Failure } from './failures.ts';
import { canRing, type PhoneEvent, type PhoneState } from './phone-state.ts';

import {
  associatedUri,
  bearerCredentials,
  type ChatMessage,
  callFailure,
  responseFailure,
  type SipCredentials,
  watchPeerConnection,
} from './sip-events.ts';

export type { ChatMessage, SipCredentials } from './sip-events.ts';

export interface SipPhoneOptions {
  readonly webSocketUrls: readonly string[];
  readonly iceServers: readonly RTCIceServer[];
  /** the home domain, for the anonymous URI of pool registrations */
  readonly sipDomain: string;
  readonly credentials: SipCredentials;
  readonly displayName?: string;
  readonly dispatch: (event: PhoneEvent) => void;
  readonly state: () => PhoneState;
  readonly onMessage: (message: ChatMessage) => void;
  readonly onRemoteStream: (stream: MediaStream | undefined) => void;
  /** opens the microphone; rejects with a DOMException the user is told about */
  readonly openMicrophone: () => Promise<MediaStream>;
  readonly now: () => number;
}

let messageSeq = 0;

export class SipPhone {
  private readonly ua: UA;
  private session: RTCSession | undefined;
  private microphone: MediaStream | undefined;
  private disconnects = 0;
  private readonly uri: string;

  constructor(private readonly o: SipPhoneOptions) {
    const c = o.credentials;
    this.uri = c.impu ?? `sip:anonymous@${o.sipDomain}`;
    this.ua = new UA({
      sockets: o.webSocketUrls.map((u) => new WebSocketInterface(u)),
      uri: this.uri,
      ...(c.kind === 'digest'
        ? { authorization_user: c.impi, password: c.password }
        : { authorization_jwt: bearerCredentials(c.token) }),
      ...(o.displayName === undefined ? {} : { display_name: o.displayName }),
      register: true,
      register_expires: 600,
      session_timers: false,
      user_agent: 'webrtc-ims WIC (JsSIP)',
      // reconnect soon after a loss, then back off (RFC 5626 §4.5 leaves the interval to the UA)
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
    });
    this.listen();
  }

  private listen(): void {
    const { dispatch } = this.o;
    this.ua.on('connecting', (e) => dispatch({ type: 'connecting', attempts: e.attempts }));
    this.ua.on('connected', () => {
      this.disconnects = 0;
      dispatch({ type: 'connected' });
    });
    this.ua.on('disconnected', () => {
      this.disconnects += 1;
      dispatch({ type: 'disconnected', attempts: this.disconnects });
    });
    this.ua.on('registered', (e) =>
      dispatch({ type: 'registered', identity: associatedUri(e.response, this.uri) }),
    );
    this.ua.on('unregistered', (e) => {
      // JsSIP also says `unregistered` (without a response) when the WebSocket closes, after
      // `disconnected`: that is the reconnecting state, not a deregistration.
      if (e.response === undefined || e.response === null) return;
      dispatch({ type: 'unregistered' });
    });
    this.ua.on('registrationFailed', (e) => {
      // Without an answer the transport is down: the disconnected/reconnect events tell that.
      if (e.response === undefined || e.response === null) return;
      dispatch({ type: 'registration-failed', failure: responseFailure(e.response) });
    });
    this.ua.on('newRTCSession', (e: RTCSessionEvent) => {
      if (e.originator !== 'remote') return;
      const session = e.session;
      if (!canRing(this.o.state()) || this.session !== undefined) {
        session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
        return;
      }
      this.follow(session);
      dispatch({
        type: 'call-started',
        id: session.id,
        direction: 'incoming',
        peer: session.remote_identity.uri.toString(),
        at: this.o.now(),
      });
    });
    this.ua.on('newMessage', (e: IncomingMessageEvent | OutgoingMessageEvent) => {
      if (e.originator !== 'remote') return;
      const incoming = e as IncomingMessageEvent;
      this.o.onMessage({
        id: `m${++messageSeq}`,
        direction: 'in',
        peer: incoming.request.from.uri.toString(),
        body: incoming.request.body ?? '',
        at: this.o.now(),
        status: 'received',
      });
    });
  }

  /** Wires a session's events to the state; the session becomes the current call. */
  private follow(session: RTCSession): void {
    const { dispatch } = this.o;
    this.session = session;
    const id = session.id;
    const end = (by: 'local' | 'remote' | 'system', failure: Failure | undefined) => {
      if (this.session === session) this.session = undefined;
      this.releaseMicrophone();
      this.o.onRemoteStream(undefined);
      dispatch({
        type: 'call-ended',
        id,
        at: this.o.now(),
        by,
        ...(failure === undefined ? {} : { failure }),
      });
    };
    const by = (originator: string) =>
      originator === 'local' ? 'local' : originator === 'remote' ? 'remote' : 'system';
    session.on('peerconnection', (e) => watchPeerConnection(id, e.peerconnection, this.o));
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

  private releaseMicrophone(): void {
    for (const track of this.microphone?.getTracks() ?? []) track.stop();
    this.microphone = undefined;
  }

  private async takeMicrophone(): Promise<MediaStream | undefined> {
    try {
      this.microphone = await this.o.openMicrophone();
      return this.microphone;
    } catch (error) {
      const name = error instanceof DOMException || error instanceof Error ? error.name : 'Error';
      this.o.dispatch({ type: 'failure', failure: { kind: 'microphone', name } });
      return undefined;
    }
  }

  private mediaOptions(stream: MediaStream) {
    return {
      mediaStream: stream,
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [...this.o.iceServers] },
      rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
    };
  }

  start(): void {
    this.ua.start();
  }

  /** Unregisters (RFC 3261 §10.2.2) and closes the WebSocket; ends a call first. */
  async stop(): Promise<void> {
    this.session?.terminate();
    const closed = new Promise<void>((resolve) => {
      if (!this.ua.isConnected()) resolve();
      else this.ua.once('disconnected', () => resolve());
      setTimeout(resolve, 3_000);
    });
    this.ua.stop();
    await closed;
    this.releaseMicrophone();
  }

  /** A refreshed access token: sent from now on, and bound at once by a new REGISTER. */
  setToken(token: string): void {
    this.ua.set('authorization_jwt', bearerCredentials(token));
    if (this.ua.isConnected()) this.ua.register();
  }

  /** INVITE `target` (a SIP or tel URI) with the microphone. */
  async call(target: string): Promise<void> {
    const stream = await this.takeMicrophone();
    if (stream === undefined) return;
    if (this.session !== undefined) {
      this.releaseMicrophone();
      return;
    }
    let session: RTCSession;
    try {
      session = this.ua.call(target, this.mediaOptions(stream));
    } catch (error) {
      this.releaseMicrophone();
      const cause = error instanceof Error ? error.message : 'Internal Error';
      this.o.dispatch({
        type: 'failure',
        failure: { kind: 'call', cause, status: undefined, reason: undefined },
      });
      return;
    }
    this.o.dispatch({
      type: 'call-started',
      id: session.id,
      direction: 'outgoing',
      peer: target,
      at: this.o.now(),
    });
    this.follow(session);
    // JsSIP emitted `peerconnection` inside call(), before follow(): watch the connection now.
    if (session.connection !== undefined && session.connection !== null)
      watchPeerConnection(session.id, session.connection, this.o);
  }

  async answer(): Promise<void> {
    const session = this.session;
    if (session === undefined || session.direction !== 'incoming') return;
    this.o.dispatch({ type: 'call-answering', id: session.id });
    const stream = await this.takeMicrophone();
    if (stream === undefined) {
      // RFC 3261 §21.4.18: we cannot take this call without a microphone.
      session.terminate({ status_code: 480, reason_phrase: 'Microphone Unavailable' });
      return;
    }
    session.answer(this.mediaOptions(stream));
  }

  /** 603 Decline to an incoming call (RFC 3261 §21.6.2). */
  decline(): void {
    this.session?.terminate({ status_code: 603, reason_phrase: 'Decline' });
  }

  /** BYE, or CANCEL while it rings. */
  hangup(): void {
    this.session?.terminate();
  }

  setMuted(muted: boolean): void {
    if (muted) this.session?.mute({ audio: true });
    else this.session?.unmute({ audio: true });
  }

  /** re-INVITE with a=sendonly / a=sendrecv (RFC 3264 §8.4); resolves when answered. */
  setHeld(held: boolean): Promise<boolean> {
    const session = this.session;
    if (session === undefined) return Promise.resolve(false);
    return new Promise((resolve) => {
      const started = held ? session.hold({}, () => resolve(true)) : session.unhold({}, () => resolve(true));
      if (!started) resolve(false);
    });
  }

  /** DTMF as RFC 4733 telephone-events in the audio RTP stream. */
  sendDtmf(tone: string): void {
    try {
      this.session?.sendDTMF(tone, {
        transportType: C.DTMF_TRANSPORT.RFC2833,
        duration: 120,
        interToneGap: 70,
      });
    } catch {
      // not in a state to send (e.g. still ringing): nothing is sent, nothing is shown
    }
  }

  /** SIP MESSAGE (RFC 3428); resolves with the final status. */
  sendMessage(target: string, body: string): Promise<ChatMessage> {
    const base = { id: `m${++messageSeq}`, direction: 'out' as const, peer: target, body, at: this.o.now() };
    return new Promise((resolve) => {
      try {
        this.ua.sendMessage(target, body, {
          contentType: 'text/plain;charset=utf-8',
          eventHandlers: {
            succeeded: () => resolve({ ...base, status: 'sent' }),
            failed: (e) => {
              this.o.dispatch({
                type: 'failure',
                failure: {
                  kind: 'message',
                  status: e.response?.status_code,
                  reason: e.response?.reason_phrase,
                },
              });
              resolve({ ...base, status: 'failed' });
            },
          },
        });
      } catch {
        resolve({ ...base, status: 'failed' });
      }
    });
  }

  /** getStats() of the current call's peer connection, or undefined. */
  async stats(): Promise<Record<string, unknown>[] | undefined> {
    const pc = this.session?.connection;
    if (pc === undefined || pc === null) return undefined;
    const report = await pc.getStats();
    const entries: Record<string, unknown>[] = [];
    report.forEach((value: unknown) => {
      if (typeof value === 'object' && value !== null) entries.push(value as Record<string, unknown>);
    });
    return entries;
  }
}
