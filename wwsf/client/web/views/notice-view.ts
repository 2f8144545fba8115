/** The banner that tells the user what went wrong and what to do (failures.ts). */
import { h, replace, show } from '../dom.ts';
import { describeFailure, type Failure, type Remedy } from '../failures.ts';

export interface NoticeActions {
  readonly dismiss: () => void;
  readonly remedy: (remedy: Remedy) => void;
}

const REMEDY_LABEL: Record<Remedy, string | undefined> = {
  none: undefined,
  retry: 'Try again',
  'sign-in': 'Sign in again',
  settings: undefined,
};

export class NoticeView {
  readonly el = h('div', { class: 'notice', role: 'alert', hidden: true });
  private shown: Failure | undefined;

  constructor(private readonly actions: NoticeActions) {}

  update(failure: Failure | undefined): void {
    if (failure === this.shown) return;
    this.shown = failure;
    show(this.el, failure !== undefined);
    if (failure === undefined) {
      replace(this.el);
      return;
    }
    const m = describeFailure(failure);
    this.el.dataset.severity = m.severity;
    this.el.dataset.kind = failure.kind;
    const label = REMEDY_LABEL[m.remedy];
    replace(
      this.el,
      h('strong', { class: 'notice-title' }, m.title),
      h('p', { class: 'notice-detail' }, m.detail),
      h(
        'div',
        { class: 'notice-actions' },
        label === undefined
          ? undefined
          : h(
              'button',
              { type: 'button', class: 'primary', onclick: () => this.actions.remedy(m.remedy) },
              label,
            ),
        h('button', { type: 'button', class: 'ghost', onclick: () => this.actions.dismiss() }, 'Dismiss'),
      ),
    );
  }
}
