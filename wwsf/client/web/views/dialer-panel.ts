/**
 * The dial pad and address entry: type or tap a number, a user name or a SIP URI, then Call —
 * or Video call, when the user may use video.
 */
import { h, setText, uid } from '../dom.ts';
import { keypad } from './keypad.ts';

export class DialerPanel {
  readonly el: HTMLElement;
  readonly input: HTMLInputElement;
  private readonly callButton: HTMLButtonElement;
  private readonly videoButton: HTMLButtonElement | undefined;
  private readonly error = h('p', { class: 'field-error', 'aria-live': 'polite' });

  constructor(actions: { dial: (text: string, video: boolean) => string | undefined; video: boolean }) {
    const id = uid('addr');
    this.input = h('input', {
      id,
      type: 'text',
      name: 'address',
      inputmode: 'tel',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'Number, name or sip: address',
      'aria-describedby': `${id}-error`,
    });
    this.error.id = `${id}-error`;
    this.callButton = h('button', { type: 'submit', class: 'answer wide' }, 'Call');
    this.videoButton = actions.video
      ? h(
          'button',
          {
            type: 'button',
            class: 'answer wide',
            onclick: () => setText(this.error, actions.dial(this.input.value, true) ?? ''),
          },
          'Video call',
        )
      : undefined;
    const back = h(
      'button',
      {
        type: 'button',
        class: 'ghost',
        'aria-label': 'Delete last character',
        onclick: () => {
          this.input.value = this.input.value.slice(0, -1);
          this.input.focus();
        },
      },
      '⌫',
    );
    const form = h(
      'form',
      { class: 'dialer', 'aria-label': 'Dial' },
      h('label', { for: id }, 'Number or address'),
      h('div', { class: 'address-row' }, this.input, back),
      this.error,
      keypad('Dial pad', (key) => {
        this.input.value += key;
        this.input.focus();
      }),
      h('div', { class: 'dial-buttons' }, this.callButton, this.videoButton),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      setText(this.error, actions.dial(this.input.value, false) ?? '');
    });
    this.el = h('div', { class: 'panel' }, form);
  }

  update(o: { canDial: boolean; reason: string }): void {
    for (const button of [this.callButton, this.videoButton]) {
      if (button === undefined) continue;
      button.disabled = !o.canDial;
      button.title = o.canDial ? '' : o.reason;
    }
  }
}
