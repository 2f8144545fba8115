/**
 * The sign-in screen: web credentials (the WAF's login page, authorization code + PKCE), IMS
 * credentials (IMPU, IMPI, password: SIP digest to the IMS core), and guest access when the
 * domain allows click-to-call. Each way is shown only when the discovery document offers it.
 */
import type { ClientConfig } from '../discovery.ts';
import { h, setText, show, uid } from '../dom.ts';
import type { Failure } from '../failures.ts';
import { NoticeView } from './notice-view.ts';

export interface ImsCredentialsInput {
  readonly impu: string;
  readonly impi: string;
  readonly password: string;
}

export interface SignInActions {
  readonly web: () => void;
  readonly ims: (input: ImsCredentialsInput) => void;
  readonly guest: () => void;
  readonly dismiss: () => void;
}

function field(label: string, input: HTMLInputElement, hint?: string): HTMLElement {
  const id = uid('f');
  input.id = id;
  const hintEl = hint === undefined ? undefined : h('small', { id: `${id}-hint`, class: 'hint' }, hint);
  if (hintEl !== undefined) input.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hintEl);
}

/** `sip:alice@ims.lab` → `alice@ims.lab`, the usual IMPI of a digest subscriber (TS 23.003 §13.3). */
export function defaultImpi(impu: string): string {
  return impu.replace(/^sips?:/i, '').replace(/[;?].*$/, '');
}

export class SignInView {
  readonly el: HTMLElement;
  private readonly status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly notice: NoticeView;
  private readonly buttons: HTMLButtonElement[] = [];

  constructor(config: ClientConfig, actions: SignInActions) {
    this.notice = new NoticeView({ dismiss: actions.dismiss, remedy: () => actions.dismiss() });
    const sections: HTMLElement[] = [];
    if (config.authorization !== undefined) {
      const go = h(
        'button',
        { type: 'button', class: 'primary wide', onclick: () => actions.web() },
        'Sign in',
      );
      this.buttons.push(go);
      sections.push(
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'web-title' },
          h('h2', { id: 'web-title' }, 'With your account'),
          h('p', {}, `Sign in with your ${config.domain} user name and password.`),
          go,
        ),
      );
    }
    const impu = h('input', {
      type: 'text',
      name: 'impu',
      autocomplete: 'username',
      required: true,
      spellcheck: 'false',
      placeholder: `sip:alice@${config.sipDomain}`,
    });
    const impi = h('input', { type: 'text', name: 'impi', autocomplete: 'off', spellcheck: 'false' });
    const password = h('input', {
      type: 'password',
      name: 'password',
      autocomplete: 'current-password',
      required: true,
    });
    impu.addEventListener('input', () => {
      impi.placeholder = defaultImpi(impu.value.trim());
    });
    const submit = h('button', { type: 'submit', class: 'wide' }, 'Sign in with IMS credentials');
    this.buttons.push(submit);
    const form = h(
      'form',
      { class: 'card', 'aria-labelledby': 'ims-title' },
      h('h2', { id: 'ims-title' }, 'With IMS credentials'),
      field('Public identity (IMPU)', impu, 'A SIP URI, e.g. sip:alice@' + config.sipDomain),
      field('Private identity (IMPI)', impi, 'Leave empty to use the public identity without sip:'),
      field('Password', password),
      submit,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      let uri = impu.value.trim();
      if (uri !== '' && !/^sips?:/i.test(uri))
        uri = `sip:${uri.includes('@') ? uri : `${uri}@${config.sipDomain}`}`;
      actions.ims({ impu: uri, impi: impi.value.trim() || defaultImpi(uri), password: password.value });
    });
    sections.push(form);
    if (config.authorization !== undefined && config.anonymous.enabled) {
      const guest = h(
        'button',
        { type: 'button', class: 'wide', onclick: () => actions.guest() },
        'Continue as guest',
      );
      this.buttons.push(guest);
      sections.push(
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'guest-title' },
          h('h2', { id: 'guest-title' }, 'As a guest'),
          h('p', {}, 'Call or message without an account, for a short while.'),
          guest,
        ),
      );
    }
    this.el = h(
      'div',
      { class: 'screen sign-in', 'data-screen': 'sign-in' },
      h('h1', {}, 'Web phone'),
      this.notice.el,
      this.status,
      h('div', { class: 'cards' }, ...sections),
    );
  }

  update(o: { busy: string | undefined; notice: Failure | undefined }): void {
    this.notice.update(o.notice);
    setText(this.status, o.busy ?? '');
    show(this.status, o.busy !== undefined);
    for (const b of this.buttons) b.disabled = o.busy !== undefined;
  }
}
