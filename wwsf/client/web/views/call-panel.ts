/**
 * The call on screen: the incoming alert (answer / decline), and the call in progress with its
 * state, timer, mute, hold, DTMF keypad, hang-up and statistics. Every state change is read out
 * through an aria-live region; the buttons say what they do and whether they are pressed.
 */
import { displayAddress } from '../address.ts';
import type { CallStats } from '../call-stats.ts';
import { h, setText, show } from '../dom.ts';
import { type CallState, formatDuration } from '../phone-state.ts';
import { keypad } from './keypad.ts';

export interface CallActions {
  readonly answer: () => void;
  readonly decline: () => void;
  readonly hangup: () => void;
  readonly toggleMute: () => void;
  readonly toggleHold: () => void;
  readonly dtmf: (tone: string) => void;
}

function phaseText(c: CallState): string {
  if (c.phase === 'incoming') return 'Incoming call';
  if (c.phase === 'answering') return 'Connecting…';
  if (c.phase === 'dialing') return 'Calling…';
  if (c.phase === 'ringing') return 'Ringing…';
  if (c.held && c.remoteHeld) return 'On hold (both sides)';
  if (c.held) return 'On hold';
  if (c.remoteHeld) return 'Held by the other side';
  return 'In call';
}

const statRow = (label: string) => {
  const value = h('dd', {}, '–');
  return { row: [h('dt', {}, label), value], value };
};

export class CallPanel {
  readonly el: HTMLElement;
  private readonly peer = h('p', { class: 'peer' });
  private readonly phase = h('p', { class: 'phase', role: 'status', 'aria-live': 'polite' });
  private readonly timer = h('p', { class: 'timer', role: 'timer', 'aria-label': 'Call duration' });
  private readonly incoming: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly muteButton: HTMLButtonElement;
  private readonly holdButton: HTMLButtonElement;
  private readonly hangupButton: HTMLButtonElement;
  private readonly sentDtmf = h('output', {
    class: 'dtmf-sent',
    'aria-live': 'polite',
    'aria-label': 'Tones sent',
  });
  private readonly stats: Record<'codec' | 'sent' | 'received' | 'lost' | 'jitter' | 'rtt', HTMLElement>;

  constructor(
    private readonly homeDomain: string,
    actions: CallActions,
  ) {
    const answer = h(
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
      answer,
      decline,
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
    const rows = {
      codec: statRow('Codec'),
      sent: statRow('Packets sent'),
      received: statRow('Packets received'),
      lost: statRow('Packets lost'),
      jitter: statRow('Jitter'),
      rtt: statRow('Round trip'),
    };
    this.stats = {
      codec: rows.codec.value,
      sent: rows.sent.value,
      received: rows.received.value,
      lost: rows.lost.value,
      jitter: rows.jitter.value,
      rtt: rows.rtt.value,
    };
    const details = h(
      'details',
      { class: 'stats' },
      h('summary', {}, 'Call statistics'),
      h('dl', {}, ...Object.values(rows).flatMap((r) => r.row)),
    );
    this.controls = h(
      'div',
      { class: 'in-call' },
      h(
        'div',
        { class: 'call-buttons', role: 'group', 'aria-label': 'Call controls' },
        this.muteButton,
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
      details,
    );
    this.el = h(
      'section',
      { class: 'call card', 'aria-label': 'Call', hidden: true },
      this.peer,
      this.phase,
      this.timer,
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

  update(call: CallState | undefined, now: number, stats: CallStats | undefined): void {
    show(this.el, call !== undefined);
    if (call === undefined) return;
    this.el.dataset.phase = call.phase;
    setText(this.peer, displayAddress(call.peer, this.homeDomain));
    this.peer.title = call.peer;
    setText(this.phase, phaseText(call));
    const started = call.answeredAt;
    setText(this.timer, started === undefined ? '' : formatDuration(now - started));
    show(this.incoming, call.phase === 'incoming');
    show(this.controls, call.phase !== 'incoming');
    const active = call.phase === 'active';
    this.muteButton.disabled = !active;
    this.holdButton.disabled = !active;
    this.muteButton.setAttribute('aria-pressed', String(call.muted));
    setText(this.muteButton, call.muted ? 'Unmute' : 'Mute');
    this.holdButton.setAttribute('aria-pressed', String(call.held));
    setText(this.holdButton, call.held ? 'Resume' : 'Hold');
    setText(this.hangupButton, active ? 'Hang up' : 'Cancel');
    setText(this.sentDtmf, call.dtmf);
    const s = stats;
    setText(this.stats.codec, s?.codec ?? '–');
    setText(this.stats.sent, s === undefined ? '–' : String(s.packetsSent));
    setText(this.stats.received, s === undefined ? '–' : String(s.packetsReceived));
    setText(this.stats.lost, s === undefined ? '–' : String(s.packetsLost));
    setText(this.stats.jitter, s?.jitterMs === undefined ? '–' : `${s.jitterMs} ms`);
    setText(this.stats.rtt, s?.rttMs === undefined ? '–' : `${s.rttMs} ms`);
  }
}
