/** Messages (SIP MESSAGE, RFC 3428): the conversation so far and a field to write the next one. */
import { displayAddress } from '../address.ts';
import { h, replace, uid } from '../dom.ts';
import type { ChatMessage } from '../sip-phone.ts';

const STATUS: Record<ChatMessage['status'], string> = {
  received: '',
  pending: 'sending…',
  sent: 'sent',
  failed: 'not delivered',
};

export class MessagesPanel {
  readonly el: HTMLElement;
  readonly to: HTMLInputElement;
  private readonly list = h('ol', {
    class: 'messages',
    role: 'log',
    'aria-live': 'polite',
    'aria-label': 'Messages',
  });
  private readonly send: HTMLButtonElement;
  private shown: readonly ChatMessage[] = [];

  constructor(
    private readonly homeDomain: string,
    actions: { send: (to: string, body: string) => boolean },
  ) {
    const toId = uid('to');
    const bodyId = uid('body');
    this.to = h('input', {
      id: toId,
      type: 'text',
      name: 'to',
      autocomplete: 'off',
      spellcheck: 'false',
      required: true,
    });
    const body = h('textarea', { id: bodyId, name: 'body', rows: 2, required: true, maxlength: 1000 });
    this.send = h('button', { type: 'submit' }, 'Send');
    const form = h(
      'form',
      { class: 'compose', 'aria-label': 'New message' },
      h('div', { class: 'field' }, h('label', { for: toId }, 'To'), this.to),
      h('div', { class: 'field' }, h('label', { for: bodyId }, 'Message'), body),
      this.send,
    );
    const submit = () => {
      if (body.value.trim() === '' || this.to.value.trim() === '') return;
      if (actions.send(this.to.value, body.value)) body.value = '';
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submit();
    });
    // Enter sends, Shift+Enter starts a new line.
    body.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        submit();
      }
    });
    this.el = h('div', { class: 'panel' }, this.list, form);
  }

  update(messages: readonly ChatMessage[], canSend: boolean): void {
    this.send.disabled = !canSend;
    if (messages === this.shown) return;
    this.shown = messages;
    replace(
      this.list,
      ...messages.map((m) =>
        h(
          'li',
          { class: `message ${m.direction}`, 'data-status': m.status },
          h(
            'span',
            { class: 'who' },
            m.direction === 'in'
              ? `From ${displayAddress(m.peer, this.homeDomain)}`
              : `To ${displayAddress(m.peer, this.homeDomain)}`,
          ),
          h('span', { class: 'body' }, m.body),
          h(
            'span',
            { class: 'meta' },
            h('time', { datetime: new Date(m.at).toISOString() }, new Date(m.at).toLocaleTimeString()),
            STATUS[m.status] === '' ? undefined : ` · ${STATUS[m.status]}`,
          ),
        ),
      ),
    );
    this.list.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }
}
