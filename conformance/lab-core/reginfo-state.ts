/**
 * reginfo documents (RFC 3680 §5) for one implicit registration set: one `<registration>` per
 * IMPU of the set, all with the set's contacts (TS 24.229 §5.4.2.1.2). The version is set by
 * the notifier when the NOTIFY goes out.
 */

import type {
  ContactEvent,
  RegContact,
  RegInfo,
  Registration,
  RegistrationState,
} from '../../sip/reginfo/index.ts';
import type { Binding, BindingChange, BindingStore, RegistrationSet } from './bindings.ts';

type Doc = Omit<RegInfo, 'version'>;

/** Full state: every IMPU of the set with every current contact. */
export function fullState(set: RegistrationSet, store: BindingStore): Doc {
  const contacts = [...set.bindings.values()].map((b) => contact(b, 'active', 'registered', store));
  return { state: 'full', registrations: registrations(set, contacts) };
}

/** Partial state: every IMPU of the set with only the contacts that changed. */
export function partialState(
  set: RegistrationSet,
  changes: readonly BindingChange[],
  store: BindingStore,
): Doc {
  const contacts = changes.map((c) => contact(c.binding, c.state, c.event, store));
  return { state: 'partial', registrations: registrations(set, contacts) };
}

function registrations(set: RegistrationSet, contacts: RegContact[]): Registration[] {
  const state: RegistrationState =
    set.bindings.size > 0 ? 'active' : set.everRegistered ? 'terminated' : 'init';
  return set.subscriber.impus.map((aor, i) => ({ aor, id: `reg${i + 1}`, state, contacts }));
}

function contact(
  b: Binding,
  state: 'active' | 'terminated',
  event: ContactEvent,
  store: BindingStore,
): RegContact {
  return {
    id: b.id,
    state,
    event,
    uri: b.uri,
    durationRegistered: Math.max(0, Math.floor((store.now() - b.registeredAt) / 1000)),
    expires: state === 'active' ? store.secondsLeft(b) : 0,
    callId: b.callId,
    cseq: b.cseq,
    unknownParams: b.params.map(([name, value]) => ({ name, value })),
  };
}
