/**
 * The phone screen: who is signed in and the registration state (announced politely), the
 * notice banner, the call panel, and three tabs — dial pad, messages, call log — with the WAI-ARIA
 * tabs pattern (arrow keys move between tabs). Views only read state; actions go to the controller.
 */
import { displayAddress } from '../address.ts';
import type { CallEndStatus } from '../call-end-status.ts';
import type { CallLogEntry } from '../call-log.ts';
import type { CallStats } from '../call-stats.ts';
import { h, setText, show } from '../dom.ts';
import type { Remedy } from '../failures.ts';
import { canDial, type PhoneState, type RegistrationStatus } from '../phone-state.ts';
import type { ChatMessage } from '../sip-phone.ts';
import { type CallActions, CallPanel } from './call-panel.ts';
import { DialerPanel } from './dialer-panel.ts';
import { LogPanel } from './log-panel.ts';
import { MessagesPanel } from './messages-panel.ts';
import { NoticeView } from './notice-view.ts';
import { type OtherCallActions, OtherCallView } from './other-call-view.ts';

export interface PhoneActions extends CallActions, OtherCallActions {
  /** returns an error text for the address field, or undefined when the call started */
  readonly dial: (text: string, video: boolean) => string | undefined;
  readonly sendMessage: (to: string, body: string) => boolean;
  readonly clearLog: () => void;
  readonly signOut: () => void;
  readonly dismissNotice: () => void;
  readonly remedy: (remedy: Remedy) => void;
}

export interface PhoneViewModel {
  readonly phone: PhoneState;
  readonly messages: readonly ChatMessage[];
  readonly log: readonly CallLogEntry[];
  readonly stats: CallStats | undefined;
  /** the other side ended the last call (shown a few seconds) */
  readonly endStatus: CallEndStatus | undefined;
  readonly now: number;
}

const REGISTRATION_TEXT: Record<RegistrationStatus, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  registering: 'Registering…',
  registered: 'Registered',
  reconnecting: 'Connection lost — reconnecting…',
  unregistered: 'Not registered',
  failed: 'Registration failed',
};

type Tab = 'dialer' | 'messages' | 'log';

export class PhoneView {
  readonly el: HTMLElement;
  private readonly identity = h('span', { class: 'identity' });
  private readonly status = h('span', { class: 'registration', role: 'status', 'aria-live': 'polite' });
  /** how the last call ended, when the other side ended it: polite, not an alert */
  private readonly endStatus = h('p', { class: 'call-status', role: 'status', 'aria-live': 'polite' });
  private readonly notice: NoticeView;
  private readonly call: CallPanel;
  private readonly other: OtherCallView;
  private readonly dialer: DialerPanel;
  private readonly messages: MessagesPanel;
  private readonly log: LogPanel;
  private readonly tabs = new Map<Tab, { tab: HTMLButtonElement; panel: HTMLElement }>();
  private unread = 0;
  private seenMessages = 0;
  private current: Tab = 'dialer';

  constructor(
    private readonly o: { homeDomain: string; capabilities: readonly string[]; signedInAs: string },
    actions: PhoneActions,
  ) {
    this.notice = new NoticeView({ dismiss: actions.dismissNotice, remedy: actions.remedy });
    const caps = new Set(o.capabilities);
    // An empty list means the document did not restrict anything; video must be named.
    const allows = (cap: string) => caps.size === 0 || caps.has(cap);
    const video = caps.has('video');
    this.call = new CallPanel(o.homeDomain, actions, video);
    this.other = new OtherCallView(o.homeDomain, actions);
    this.dialer = new DialerPanel({ dial: actions.dial, video });
    this.messages = new MessagesPanel(o.homeDomain, { send: actions.sendMessage });
    this.log = new LogPanel(o.homeDomain, {
      callBack: (uri) => {
        this.select('dialer');
        this.dialer.input.value = uri;
        actions.dial(uri, false);
      },
      clear: actions.clearLog,
    });
    const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Phone' });
    const panels: HTMLElement[] = [];
    const add = (tab: Tab, label: string, panel: HTMLElement, enabled: boolean) => {
      if (!enabled) return;
      const button = h('button', {
        type: 'button',
        role: 'tab',
        id: `tab-${tab}`,
        'aria-controls': `panel-${tab}`,
        onclick: () => this.select(tab),
      });
      button.textContent = label;
      button.addEventListener('keydown', (e) => this.arrow(e, tab));
      panel.id = `panel-${tab}`;
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', button.id);
      tablist.append(button);
      panels.push(panel);
      this.tabs.set(tab, { tab: button, panel });
    };
    add('dialer', 'Phone', this.dialer.el, allows('call'));
    add('messages', 'Messages', this.messages.el, allows('message'));
    add('log', 'Calls', this.log.el, true);
    this.el = h(
      'div',
      { class: 'screen phone', 'data-screen': 'phone' },
      h(
        'header',
        { class: 'bar' },
        h('div', {}, h('span', { class: 'who-label' }, 'Signed in as '), this.identity, h('br'), this.status),
        h('button', { type: 'button', class: 'ghost', onclick: () => actions.signOut() }, 'Sign out'),
      ),
      this.notice.el,
      this.endStatus,
      this.other.el,
      this.call.el,
      tablist,
      ...panels,
    );
    setText(this.identity, o.signedInAs);
    this.select([...this.tabs.keys()][0] ?? 'log');
  }

  private arrow(e: KeyboardEvent, from: Tab): void {
    const order = [...this.tabs.keys()];
    const i = order.indexOf(from);
    const to =
      e.key === 'ArrowRight'
        ? order[(i + 1) % order.length]
        : e.key === 'ArrowLeft'
          ? order[(i - 1 + order.length) % order.length]
          : undefined;
    if (to === undefined) return;
    e.preventDefault();
    this.select(to);
    this.tabs.get(to)?.tab.focus();
  }

  select(tab: Tab): void {
    this.current = tab;
    for (const [name, { tab: button, panel }] of this.tabs) {
      const on = name === tab;
      button.setAttribute('aria-selected', String(on));
      button.tabIndex = on ? 0 : -1;
      show(panel, on);
    }
    if (tab === 'messages') this.unread = 0;
    this.badge();
  }

  /** Puts a target in the dial field (a click-to-call link). */
  prefill(target: string): void {
    this.select('dialer');
    this.dialer.input.value = target;
  }

  /** Puts `uri` in the message form and shows the messages tab. */
  compose(uri: string): void {
    this.messages.to.value = uri;
    this.select('messages');
  }

  /** The other side's media (the call panel's video picture). */
  setRemoteStream(stream: MediaStream | undefined): void {
    this.call.setRemoteStream(stream);
  }

  /** Our camera's picture. */
  setLocalVideo(stream: MediaStream | undefined): void {
    this.call.setLocalVideo(stream);
  }

  private badge(): void {
    const t = this.tabs.get('messages')?.tab;
    if (t !== undefined) setText(t, this.unread > 0 ? `Messages (${this.unread} new)` : 'Messages');
  }

  update(m: PhoneViewModel): void {
    const p = m.phone;
    this.el.dataset.registration = p.registration;
    this.el.dataset.call = p.call?.phase ?? 'none';
    this.el.dataset.other =
      p.other === undefined ? 'none' : p.other.phase === 'incoming' ? 'waiting' : 'held';
    if (p.identity !== undefined) setText(this.identity, displayAddress(p.identity, this.o.homeDomain));
    setText(this.status, REGISTRATION_TEXT[p.registration]);
    this.status.dataset.state = p.registration;
    this.notice.update(p.notice);
    setText(this.endStatus, m.endStatus?.text ?? '');
    show(this.endStatus, m.endStatus !== undefined);
    if (m.endStatus === undefined) delete this.endStatus.dataset.kind;
    else this.endStatus.dataset.kind = m.endStatus.kind;
    this.call.update(p.call, m.now, m.stats);
    this.other.update(p.other);
    this.dialer.update({
      canDial: canDial(p),
      reason:
        p.call !== undefined || p.other !== undefined
          ? 'A call is in progress'
          : REGISTRATION_TEXT[p.registration],
    });
    const received = m.messages.filter((x) => x.direction === 'in').length;
    if (received > this.seenMessages && this.current !== 'messages')
      this.unread += received - this.seenMessages;
    this.seenMessages = received;
    this.badge();
    this.messages.update(m.messages, p.registration === 'registered');
    this.log.update(m.log);
  }
}
