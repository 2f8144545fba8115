import type { RegContact, RegInfo, Registration } from './reginfo.ts';

/** What a subscriber does with one received reginfo document (RFC 3680 §4.8, §5.2). */
export type ApplyResult =
  /** the new state: always `state: 'full'`, `version` the document's */
  | { readonly kind: 'applied'; readonly state: RegInfo }
  /** version not above the last one seen: an old or duplicated NOTIFY, to be ignored */
  | { readonly kind: 'stale' }
  /** a partial document skipped versions: state is unknown until a full one (refresh the subscription) */
  | { readonly kind: 'gap'; readonly expected: number };

/**
 * Merges a received document into the subscriber's view. A full document replaces the view; a
 * partial one (which may only follow a known version + 1) changes the registrations it names:
 * a contact with state terminated is removed, any other replaces the contact of the same id, and
 * a registration in state terminated keeps no contact.
 */
export function applyRegInfo(previous: RegInfo | undefined, doc: RegInfo): ApplyResult {
  if (previous !== undefined && doc.version <= previous.version) return { kind: 'stale' };
  if (doc.state === 'full')
    return { kind: 'applied', state: { ...doc, registrations: doc.registrations.map(live) } };
  if (previous === undefined || doc.version !== previous.version + 1)
    return { kind: 'gap', expected: previous === undefined ? 0 : previous.version + 1 };
  const registrations = [...previous.registrations];
  for (const change of doc.registrations) {
    const i = registrations.findIndex((r) => r.id === change.id || r.aor === change.aor);
    const before = i < 0 ? undefined : registrations[i]!;
    const merged = merge(before, change);
    if (i < 0) registrations.push(merged);
    else registrations[i] = merged;
  }
  return { kind: 'applied', state: { version: doc.version, state: 'full', registrations } };
}

function merge(before: Registration | undefined, change: Registration): Registration {
  const contacts: RegContact[] = [...(before?.contacts ?? [])];
  for (const c of change.contacts) {
    const i = contacts.findIndex((x) => x.id === c.id);
    if (c.state === 'terminated') {
      if (i >= 0) contacts.splice(i, 1);
    } else if (i >= 0) contacts[i] = c;
    else contacts.push(c);
  }
  return { ...change, contacts: change.state === 'terminated' ? [] : contacts };
}

/** A full document may list terminated contacts (just removed); the view keeps active ones only. */
function live(r: Registration): Registration {
  return { ...r, contacts: r.contacts.filter((c) => c.state === 'active') };
}
