/** The dial pad and address entry: type or tap a number, a user name or a SIP URI, then Call. */
import { h, setText, uid } from '../dom.ts';
import { keypad } from './keypad.ts';

export class DialerPanel {
  readonly el: HTMLElement;
  readonly input: HTMLInputElement;
  private readonly callButton: HTMLButtonElement;
  private readonly error = h('p', { class: 'field-error', 'aria-live': 'polite' });

  constructor(actions: { dial: (text: string) => string | undefined }) {
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
      this.callButton,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      setText(this.error, actions.dial(this.input.value) ?? '');
    });
    this.el = h('div', { class: 'panel' }, form);
  }

  update(o: { canDial: boolean; reason: string }): void {
    this.callButton.disabled = !o.canDial;
    this.callButton.title = o.canDial ? '' : o.reason;
  }
}
