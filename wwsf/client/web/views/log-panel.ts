/** The call log: the last calls with their outcome, and a button to call each one back. */
import { displayAddress } from '../address.ts';
import type { CallLogEntry } from '../call-log.ts';
import { h, replace } from '../dom.ts';
import { formatDuration } from '../phone-state.ts';

const OUTCOME: Record<CallLogEntry['outcome'], string> = {
  answered: 'answered',
  missed: 'missed',
  declined: 'declined',
  cancelled: 'cancelled',
  failed: 'failed',
};

export class LogPanel {
  readonly el: HTMLElement;
  private readonly list = h('ol', { class: 'call-log', 'aria-label': 'Recent calls' });
  private readonly empty = h('p', { class: 'empty' }, 'No calls yet.');
  private shown: readonly CallLogEntry[] | undefined;

  constructor(
    private readonly homeDomain: string,
    private readonly actions: { callBack: (uri: string) => void; clear: () => void },
  ) {
    this.el = h(
      'div',
      { class: 'panel' },
      this.empty,
      this.list,
      h('button', { type: 'button', class: 'ghost', onclick: () => actions.clear() }, 'Clear call log'),
    );
  }

  update(entries: readonly CallLogEntry[]): void {
    if (entries === this.shown) return;
    this.shown = entries;
    this.empty.hidden = entries.length > 0;
    replace(
      this.list,
      ...entries.map((e) => {
        const who = displayAddress(e.peer, this.homeDomain);
        const arrow = e.direction === 'outgoing' ? '↗' : '↙';
        const what =
          e.outcome === 'answered'
            ? `${e.video === true ? 'video, ' : ''}${OUTCOME[e.outcome]}, ${formatDuration(e.durationMs)}`
            : `${OUTCOME[e.outcome]}${e.detail === undefined ? '' : ` (${e.detail})`}`;
        return h(
          'li',
          { class: `entry ${e.outcome}`, 'data-outcome': e.outcome },
          h('span', { class: 'dir', 'aria-label': e.direction }, arrow),
          h('span', { class: 'who' }, who),
          h('span', { class: 'what' }, what),
          h(
            'time',
            { datetime: new Date(e.startedAt).toISOString() },
            new Date(e.startedAt).toLocaleString(),
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'ghost',
              'aria-label': `Call ${who}`,
              onclick: () => this.actions.callBack(e.peer),
            },
            'Call',
          ),
        );
      }),
    );
  }
}
