/**
 * The second call beside the one on screen (call waiting): while it rings, who calls and the
 * choice — answer it (the current call is put on hold) or decline it; once answered, the first
 * call waits here on hold and comes back on screen, to be resumed, when the other one ends.
 * Announced politely (aria-live); a waiting call also rings (phone-session.ts).
 */
import { displayAddress } from '../address.ts';
import { h, setText, show } from '../dom.ts';
import type { CallState } from '../phone-state.ts';

export interface OtherCallActions {
  readonly answerWaiting: () => void;
  readonly declineWaiting: () => void;
}

export class OtherCallView {
  readonly el: HTMLElement;
  private readonly text = h('p', { class: 'other-text', 'aria-live': 'polite' });
  private readonly actions: HTMLElement;

  constructor(
    private readonly homeDomain: string,
    a: OtherCallActions,
  ) {
    this.actions = h(
      'div',
      { class: 'incoming-actions', role: 'group', 'aria-label': 'Waiting call actions' },
      h(
        'button',
        { type: 'button', class: 'answer', onclick: () => a.answerWaiting() },
        'Answer (hold current)',
      ),
      h('button', { type: 'button', class: 'danger', onclick: () => a.declineWaiting() }, 'Decline'),
    );
    this.el = h('section', { class: 'other-call card', hidden: true }, this.text, this.actions);
  }

  update(other: CallState | undefined): void {
    show(this.el, other !== undefined);
    if (other === undefined) {
      delete this.el.dataset.state;
      return;
    }
    const who = displayAddress(other.peer, this.homeDomain);
    const waiting = other.phase === 'incoming';
    this.el.dataset.state = waiting ? 'waiting' : 'held';
    this.el.setAttribute('aria-label', waiting ? 'Waiting call' : 'Call on hold');
    setText(this.text, waiting ? `${who} is calling` : `${who} — on hold`);
    show(this.actions, waiting);
  }
}
