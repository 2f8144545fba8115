/**
 * One signed-in phone: the SipPhone, the state it drives, the messages, the call log and the
 * in-call statistics, wired to the PhoneView. Created after a sign-in, stopped at sign-out.
 * The state changes through `dispatch` only; each change re-renders the view once.
 */
import { displayAddress, toTargetUri } from './address.ts';
import { type CallEndStatus, callEndStatus } from './call-end-status.ts';
import { CallLog, type CallLogEntry, type KeyValueStore, logEntryFor } from './call-log.ts';
import { type CallStats, summariseStats } from './call-stats.ts';
import type { ClientConfig } from './discovery.ts';
import { rtcIceServers } from './discovery.ts';
import type { Failure, Remedy } from './failures.ts';
import { openMedia, playRemote, Ringer } from './media.ts';
import { initialPhoneState, type PhoneEvent, type PhoneState, phoneReducer } from './phone-state.ts';
import { type ChatMessage, type SipCredentials, SipPhone } from './sip-phone.ts';
import { PhoneView } from './views/phone-view.ts';

export interface PhoneSessionOptions {
  readonly config: ClientConfig;
  readonly credentials: SipCredentials;
  /** shown until the network tells the registered identity */
  readonly label: string;
  readonly storage: KeyValueStore;
  readonly remoteAudio: HTMLAudioElement;
  /** the first registration was refused: the controller goes back to sign-in with this failure */
  readonly onRefused: (failure: Failure) => void;
  readonly onRemedy: (remedy: Remedy) => void;
  readonly onSignOut: () => void;
  /** a target to put in the dial field (click-to-call links: `?call=`) */
  readonly prefill?: string;
}

export class PhoneSession {
  readonly view: PhoneView;
  private state: PhoneState = initialPhoneState;
  private messages: readonly ChatMessage[] = [];
  private log: readonly CallLogEntry[];
  private stats: CallStats | undefined;
  private readonly sip: SipPhone;
  private readonly ringer = new Ringer();
  private readonly callLog: CallLog;
  private everRegistered = false;
  private tick: ReturnType<typeof setInterval> | undefined;
  private statsBusy = false;
  private endStatus: CallEndStatus | undefined;
  private endStatusTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly o: PhoneSessionOptions) {
    const c = o.credentials;
    this.callLog = new CallLog(o.storage, c.impu ?? `pool@${o.config.domain}`);
    this.log = this.callLog.entries();
    this.view = new PhoneView(
      { homeDomain: o.config.sipDomain, capabilities: o.config.capabilities, signedInAs: o.label },
      {
        dial: (text, video) => this.dial(text, video),
        answer: () => void this.sip.answer({ video: false }),
        answerVideo: () => void this.sip.answer({ video: true }),
        toggleCamera: () => void this.sip.setCamera(!(this.state.call?.video.camera ?? false)),
        decline: () => this.sip.decline(),
        answerWaiting: () => void this.sip.answerWaiting(),
        declineWaiting: () => this.sip.declineWaiting(),
        hangup: () => this.sip.hangup(),
        toggleMute: () => this.sip.setMuted(!(this.state.call?.muted ?? false)),
        toggleHold: () => void this.sip.setHeld(!(this.state.call?.held ?? false)),
        dtmf: (tone) => this.sip.sendDtmf(tone),
        sendMessage: (to, body) => this.sendMessage(to, body),
        clearLog: () => {
          this.callLog.clear();
          this.log = [];
          this.render();
        },
        signOut: () => o.onSignOut(),
        dismissNotice: () => this.dispatch({ type: 'notice-dismissed' }),
        remedy: (r) => o.onRemedy(r),
      },
    );
    this.sip = new SipPhone({
      webSocketUrls: o.config.webSocketUrls,
      iceServers: rtcIceServers(o.config),
      sipDomain: o.config.sipDomain,
      credentials: c,
      dispatch: (e) => this.dispatch(e),
      state: () => this.state,
      onMessage: (m) => {
        this.messages = [...this.messages, m];
        this.render();
      },
      onRemoteStream: (stream) => {
        playRemote(o.remoteAudio, stream);
        this.view.setRemoteStream(stream);
      },
      onLocalVideo: (stream) => this.view.setLocalVideo(stream),
      openMedia,
      now: () => Date.now(),
    });
    if (o.prefill !== undefined) this.view.prefill(o.prefill);
  }

  start(): void {
    this.sip.start();
    this.tick = setInterval(() => this.onTick(), 1000);
    this.render();
  }

  async stop(): Promise<void> {
    if (this.tick !== undefined) clearInterval(this.tick);
    this.setEndStatus(undefined);
    this.ringer.stop();
    await this.sip.stop();
    this.dispatch({ type: 'stopped' });
  }

  /** A refreshed access token for the REGISTERs and requests from now on. */
  setToken(token: string): void {
    this.sip.setToken(token);
  }

  /** Something outside the SIP flow went wrong (e.g. the token could not be refreshed). */
  fail(failure: Failure): void {
    this.dispatch({ type: 'failure', failure });
  }

  get registered(): boolean {
    return this.state.registration === 'registered';
  }

  private dispatch(event: PhoneEvent): void {
    const before = this.state;
    this.state = phoneReducer(before, event);
    if (event.type === 'registered') this.everRegistered = true;
    if (event.type === 'registration-failed' && !this.everRegistered) {
      this.o.onRefused(event.failure);
      return;
    }
    const ringing = this.state.call?.phase === 'incoming' || this.state.other?.phase === 'incoming';
    // Only the call on screen is heard and seen.
    if (this.state.call?.id !== before.call?.id) this.sip.showMedia();
    if (ringing) this.ringer.start();
    else this.ringer.stop();
    const ended = this.state.lastCall;
    if (ended !== undefined && ended !== before.lastCall) {
      this.log = this.callLog.add(logEntryFor(ended));
      this.stats = undefined;
      this.setEndStatus(callEndStatus(ended, this.o.config.sipDomain));
      return;
    }
    if (this.state.call !== undefined && before.call === undefined) this.setEndStatus(undefined);
    this.render();
  }

  /** Shows how the last call ended for its time on screen (call-end-status.ts), then clears it. */
  private setEndStatus(status: CallEndStatus | undefined): void {
    if (this.endStatusTimer !== undefined) clearTimeout(this.endStatusTimer);
    this.endStatusTimer = undefined;
    this.endStatus = status;
    if (status !== undefined)
      this.endStatusTimer = setTimeout(() => this.setEndStatus(undefined), status.shownMs);
    this.render();
  }

  private dial(text: string, video: boolean): string | undefined {
    const target = toTargetUri(text, this.o.config.sipDomain);
    if (!target.ok) return target.reason;
    void this.sip.call(target.uri, { video });
    return undefined;
  }

  private sendMessage(to: string, body: string): boolean {
    const target = toTargetUri(to, this.o.config.sipDomain);
    if (!target.ok) {
      this.dispatch({
        type: 'failure',
        failure: { kind: 'message', status: undefined, reason: target.reason },
      });
      return false;
    }
    const pending: ChatMessage = {
      id: `p${Date.now()}`,
      direction: 'out',
      peer: target.uri,
      body,
      at: Date.now(),
      status: 'pending',
    };
    this.messages = [...this.messages, pending];
    this.render();
    void this.sip.sendMessage(target.uri, body).then((done) => {
      this.messages = this.messages.map((m) => (m === pending ? { ...done, id: pending.id } : m));
      this.render();
    });
    return true;
  }

  private onTick(): void {
    const call = this.state.call;
    if (call?.phase === 'active' && !this.statsBusy) {
      this.statsBusy = true;
      void this.sip
        .stats()
        .then((entries) => {
          if (entries !== undefined && this.state.call?.id === call.id) this.stats = summariseStats(entries);
        })
        .catch(() => undefined)
        .finally(() => {
          this.statsBusy = false;
        });
    }
    if (call !== undefined) this.render();
  }

  private model() {
    return {
      phone: this.state,
      messages: this.messages,
      log: this.log,
      stats: this.stats,
      endStatus: this.endStatus,
      now: Date.now(),
    };
  }

  private render(): void {
    this.view.update(this.model());
    const ringing = [this.state.call, this.state.other].find((c) => c?.phase === 'incoming');
    document.title =
      ringing === undefined
        ? 'Web phone'
        : `Incoming call from ${displayAddress(ringing.peer, this.o.config.sipDomain)}`;
  }
}
