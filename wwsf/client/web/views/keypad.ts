/** A 12-key telephone keypad (ITU-T E.161 layout): used to dial and to send DTMF in a call. */
import { h } from '../dom.ts';

const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['1', ''],
  ['2', 'ABC'],
  ['3', 'DEF'],
  ['4', 'GHI'],
  ['5', 'JKL'],
  ['6', 'MNO'],
  ['7', 'PQRS'],
  ['8', 'TUV'],
  ['9', 'WXYZ'],
  ['*', ''],
  ['0', '+'],
  ['#', ''],
];

export function keypad(label: string, onKey: (key: string) => void): HTMLElement {
  return h(
    'div',
    { class: 'keypad', role: 'group', 'aria-label': label },
    ...KEYS.map(([key, letters]) =>
      h(
        'button',
        {
          type: 'button',
          class: 'key',
          'data-key': key,
          'aria-label': key === '*' ? 'star' : key === '#' ? 'pound' : key,
          onclick: () => onKey(key),
        },
        h('span', { class: 'digit', 'aria-hidden': 'true' }, key),
        h('span', { class: 'letters', 'aria-hidden': 'true' }, letters),
      ),
    ),
  );
}
