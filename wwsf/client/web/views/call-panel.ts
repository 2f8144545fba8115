/**
 * The call on screen: the incoming alert (answer — with video or audio only on a video call —
 * or decline), and the call in progress with its state, timer, pictures (video-view.ts), mute,
 * hold, camera, DTMF keypad, hang-up and statistics. Every state change is read out through an
 * aria-live region; the buttons say what they do and whether they are pressed.
 */
import { displayAddress } from '../address.ts';
import type { CallStats } from '../call-stats.ts';
import { h, setText, show } from '../dom.ts';
import { type CallState, formatDuration } from '../phone-state.ts';
import { keypad } from './keypad.ts';
import { StatsView } from './stats-view.ts';
import { VideoView } from './video-view.ts';

export interface CallActions {
  /** answers with audio only (a video offer's video rejected) */
  readonly answer: () => void;
  /** answers a video call with the camera */
  readonly answerVideo: () => void;
  readonly toggleCamera: () => void;
  readonly decline: () => void;
  readonly hangup: () => void;
  readonly toggleMute: () => void;
  readonly toggleHold: () => void;
  readonly dtmf: (tone: string) => void;
}

function phaseText(c: CallState): string {
  if (c.phase === 'incoming') return c.video.negotiated ? 'Incoming video call' : 'Incoming call';
  if (c.phase === 'answering') return 'Connecting…';
  if (c.phase === 'dialing') return 'Calling…';
  if (c.phase === 'ringing') return 'Ringing…';
  if (c.held && c.remoteHeld) return 'On hold (both sides)';
  if (c.held) return 'On hold';
  if (c.remoteHeld) return 'Held by the other side';
  return c.video.negotiated ? 'In video call' : 'In call';
}

export class CallPanel {
  readonly el: HTMLElement;
  private readonly peer = h('p', { class: 'peer' });
  private readonly phase = h('p', { class: 'phase', role: 'status', 'aria-live': 'polite' });
  private readonly timer = h('p', { class: 'timer', role: 'timer', 'aria-label': 'Call duration' });
  private readonly incoming: HTMLElement;
  private readonly answerButton: HTMLButtonElement;
  private readonly answerVideoButton: HTMLButtonElement;
  private readonly controls: HTMLElement;
  private readonly video = new VideoView();
  private readonly statsView = new StatsView();
  private readonly cameraButton: HTMLButtonElement;
  private readonly muteButton: HTMLButtonElement;
  private readonly holdButton: HTMLButtonElement;
  private readonly hangupButton: HTMLButtonElement;
  private readonly sentDtmf = h('output', {
    class: 'dtmf-sent',
    'aria-live': 'polite',
    'aria-label': 'Tones sent',
  });

  constructor(
    private readonly homeDomain: string,
    actions: CallActions,
    /** the user may use video (the `video` capability) */
    private readonly videoAllowed: boolean,
  ) {
    this.answerVideoButton = h(
      'button',
      { type: 'button', class: 'answer', onclick: () => actions.answerVideo() },
      'Answer with video',
    );
    this.answerButton = h(
      'button',
      { type: 'button', class: 'answer', onclick: () => actions.answer() },
      'Answer',
    );
    const decline = h(
      'button',
      { type: 'button', class: 'danger', onclick: () => actions.decline() },
      'Decline',
    );
    this.incoming = h(
      'div',
      { class: 'incoming-actions', role: 'group', 'aria-label': 'Incoming call' },
      this.answerVideoButton,
      this.answerButton,
      decline,
    );
    this.cameraButton = h(
      'button',
      { type: 'button', 'aria-pressed': 'false', onclick: () => actions.toggleCamera() },
      'Stop camera',
    );
    this.muteButton = h(
      'button',
      { type: 'button', 'aria-pressed': 'false', onclick: () => actions.toggleMute() },
      'Mute',
    );
    this.holdButton = h(
      'button',
      { type: 'button', 'aria-pressed': 'false', onclick: () => actions.toggleHold() },
      'Hold',
    );
    this.hangupButton = h(
      'button',
      { type: 'button', class: 'danger', onclick: () => actions.hangup() },
      'Hang up',
    );
    this.controls = h(
      'div',
      { class: 'in-call' },
      h(
        'div',
        { class: 'call-buttons', role: 'group', 'aria-label': 'Call controls' },
        this.muteButton,
        this.cameraButton,
        this.holdButton,
        this.hangupButton,
      ),
      h(
        'details',
        { class: 'dtmf' },
        h('summary', {}, 'Keypad'),
        keypad('Send tones', actions.dtmf),
        this.sentDtmf,
      ),
      this.statsView.el,
    );
    this.el = h(
      'section',
      { class: 'call card', 'aria-label': 'Call', hidden: true },
      this.peer,
      this.phase,
      this.timer,
      this.video.el,
      this.incoming,
      this.controls,
    );
    // Keyboard: in a call, digits, * and # send tones unless typing in a field.
    document.addEventListener('keydown', (e) => {
      if (this.el.hidden || this.controls.hidden) return;
      const target = e.target as HTMLElement | null;
      if (target !== null && /^(INPUT|TEXTAREA)$/.test(target.tagName)) return;
      if (/^[0-9*#]$/.test(e.key)) actions.dtmf(e.key);
    });
  }

  /** The other side's media, for the video picture. */
  setRemoteStream(stream: MediaStream | undefined): void {
    this.video.setRemote(stream);
  }

  /** Our camera's picture (preview). */
  setLocalVideo(stream: MediaStream | undefined): void {
    this.video.setLocal(stream);
  }

  update(call: CallState | undefined, now: number, stats: CallStats | undefined): void {
    show(this.el, call !== undefined);
    if (call === undefined) {
      this.video.update(undefined, '');
      return;
    }
    this.el.dataset.phase = call.phase;
    this.el.dataset.video = call.video.negotiated ? 'yes' : 'no';
    const peer = displayAddress(call.peer, this.homeDomain);
    setText(this.peer, peer);
    this.peer.title = call.peer;
    setText(this.phase, phaseText(call));
    const started = call.answeredAt;
    setText(this.timer, started === undefined ? '' : formatDuration(now - started));
    show(this.incoming, call.phase === 'incoming');
    const videoOffer = call.video.negotiated && this.videoAllowed;
    show(this.answerVideoButton, videoOffer);
    setText(this.answerButton, videoOffer ? 'Answer audio only' : 'Answer');
    show(this.controls, call.phase !== 'incoming');
    this.video.update(call, peer);
    const active = call.phase === 'active';
    this.muteButton.disabled = !active;
    this.holdButton.disabled = !active;
    this.muteButton.setAttribute('aria-pressed', String(call.muted));
    setText(this.muteButton, call.muted ? 'Unmute' : 'Mute');
    show(this.cameraButton, call.video.negotiated);
    this.cameraButton.disabled = !active || call.held;
    this.cameraButton.setAttribute('aria-pressed', String(!call.video.camera));
    setText(this.cameraButton, call.video.camera ? 'Stop camera' : 'Start camera');
    this.holdButton.setAttribute('aria-pressed', String(call.held));
    setText(this.holdButton, call.held ? 'Resume' : 'Hold');
    setText(this.hangupButton, active ? 'Hang up' : 'Cancel');
    setText(this.sentDtmf, call.dtmf);
    this.statsView.update(stats, call.video);
  }
}
