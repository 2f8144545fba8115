/**
 * The SIP side of the web phone, on unmodified JsSIP 3: one UA over the eP-CSCF's SIP
 * WebSocket(s) (RFC 7118), registered with IMS credentials (SIP digest: IMPU as the URI, IMPI as
 * the authorization user) or with a WAF access token (RFC 8898: JsSIP's `authorization_jwt`
 * puts the value verbatim in an Authorization header on every request, so it is given as
 * `Bearer <token>`). JsSIP events become PhoneEvents (phone-state.ts); the commands are verbs.
 * Calls (sip-call.ts): the one on screen and, beside an active call, one waiting call, answered
 * by holding the first (call-reducer.ts); any further INVITE is answered 486 Busy Here
 * (RFC 3261 §21.4.24). Video calls (call-video.ts): the camera joins the offer, the answer may
 * keep or reject it, and the camera can be turned off and on during the call by re-INVITE. Only
 * the call on screen is heard and seen (`showMedia`).
 */
import { UA, WebSocketInterface } from 'jssip';
import type { IncomingMessageEvent, OutgoingMessageEvent, RTCSessionEvent } from 'jssip/lib/UA.js';
import { canRing, type PhoneEvent, type PhoneState } from './phone-state.ts';
import { SipCall, type SipCallOptions } from './sip-call.ts';
import {
  accountOf,
  associatedUri,
  bearerCredentials,
  type ChatMessage,
  responseFailure,
  type SipCredentials,
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
  /** the other side's media of the call on screen */
  readonly onRemoteStream: (stream: MediaStream | undefined) => void;
  /** our camera's picture in the call on screen; undefined when the camera is off */
  readonly onLocalVideo: (stream: MediaStream | undefined) => void;
  /** getUserMedia; rejects with a DOMException the user is told about */
  readonly openMedia: SipCallOptions['openMedia'];
  readonly now: () => number;
}

let messageSeq = 0;

export class SipPhone {
  private readonly ua: UA;
  /** the calls on the phone, by id (at most two: on screen and waiting/held) */
  private readonly calls = new Map<string, SipCall>();
  /** an outgoing call is getting its media */
  private placing = false;
  private disconnects = 0;
  private readonly uri: string;
  private readonly callOptions: SipCallOptions;

  constructor(private readonly o: SipPhoneOptions) {
    const c = o.credentials;
    this.callOptions = {
      iceServers: o.iceServers,
      dispatch: o.dispatch,
      onMedia: (call) => {
        if (call === this.onScreen()) this.showMedia();
      },
      openMedia: o.openMedia,
      now: o.now,
      onCreated: (call) => void this.calls.set(call.id, call),
      onEnded: (call) => void this.calls.delete(call.id),
    };
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
      dispatch({
        type: 'registration-failed',
        failure: responseFailure(e.response, accountOf(this.o.credentials)),
      });
    });
    this.ua.on('newRTCSession', (e: RTCSessionEvent) => {
      if (e.originator !== 'remote') return;
      if (!canRing(this.o.state()) || this.calls.size > 1 || this.placing) {
        e.session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
        return;
      }
      SipCall.incoming(e.session, e.request.body ?? undefined, this.callOptions);
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

  start(): void {
    this.ua.start();
  }

  /** Unregisters (RFC 3261 §10.2.2) and closes the WebSocket; ends the calls first. */
  async stop(): Promise<void> {
    for (const call of this.calls.values()) call.hangup();
    const closed = new Promise<void>((resolve) => {
      if (!this.ua.isConnected()) resolve();
      else this.ua.once('disconnected', () => resolve());
      setTimeout(resolve, 3_000);
    });
    this.ua.stop();
    await closed;
  }

  /** A refreshed access token: sent from now on, and bound at once by a new REGISTER. */
  setToken(token: string): void {
    this.ua.set('authorization_jwt', bearerCredentials(token));
    if (this.ua.isConnected()) this.ua.register();
  }

  private onScreen(): SipCall | undefined {
    const id = this.o.state().call?.id;
    return id === undefined ? undefined : this.calls.get(id);
  }

  private beside(): SipCall | undefined {
    const id = this.o.state().other?.id;
    return id === undefined ? undefined : this.calls.get(id);
  }

  /** Plays the media of the call on screen (after it changed: answered, swapped, ended). */
  showMedia(): void {
    const call = this.onScreen();
    this.o.onRemoteStream(call?.remoteStream);
    this.o.onLocalVideo(call?.preview);
  }

  /** INVITE `target` (a SIP or tel URI); with the camera too for a video call. */
  async call(target: string, o: { video: boolean } = { video: false }): Promise<void> {
    if (this.calls.size > 0 || this.placing) return;
    this.placing = true;
    try {
      await SipCall.outgoing(this.ua, target, o.video, this.callOptions, () => this.calls.size === 0);
    } finally {
      this.placing = false;
    }
  }

  /** Answers the ringing call, with the camera when `video` and the call offers it. */
  answer(o: { video: boolean } = { video: false }): Promise<void> {
    return this.onScreen()?.answer(o.video) ?? Promise.resolve();
  }

  /**
   * Answers the waiting call (audio only) after putting the call on screen on hold (RFC 3264
   * §8.4); the waiting one then comes on screen.
   */
  async answerWaiting(): Promise<void> {
    const current = this.onScreen();
    const waiting = this.beside();
    if (current === undefined || waiting === undefined || this.o.state().other?.phase !== 'incoming') return;
    if (this.o.state().call?.held !== true && !(await current.setHeld(true))) return;
    if (this.calls.get(waiting.id) === waiting) await waiting.answer(false);
  }

  /** 603 Decline to the waiting call; the call on screen goes on. */
  declineWaiting(): void {
    if (this.o.state().other?.phase === 'incoming') this.beside()?.decline();
  }

  decline(): void {
    this.onScreen()?.decline();
  }

  hangup(): void {
    this.onScreen()?.hangup();
  }

  setMuted(muted: boolean): void {
    this.onScreen()?.setMuted(muted);
  }

  setHeld(held: boolean): Promise<boolean> {
    return this.onScreen()?.setHeld(held) ?? Promise.resolve(false);
  }

  setCamera(on: boolean): Promise<boolean> {
    return this.onScreen()?.setCamera(on) ?? Promise.resolve(false);
  }

  sendDtmf(tone: string): void {
    this.onScreen()?.sendDtmf(tone);
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

  /** getStats() of the peer connection of the call on screen, or undefined. */
  stats(): Promise<Record<string, unknown>[] | undefined> {
    return this.onScreen()?.stats() ?? Promise.resolve(undefined);
  }
}
