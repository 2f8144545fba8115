// The one function needed from sip/, imported from its own dependency-free file so that opening
// the store does not load the whole SIP library.
import { flatString } from '../sip/grammar/flat-string.ts';
import type { ContactBinding, RegistrationStore } from './registration-store.ts';

/**
 * The default RegistrationStore: in the process's memory, indexed by AOR, by connection and by
 * expiry second, so that expire() visits only what expired (it runs every few seconds over
 * possibly 100,000 bindings).
 */
export class MemoryRegistrationStore implements RegistrationStore {
  private readonly byAor = new Map<string, Map<string, ContactBinding>>();
  private readonly byConnection = new Map<string, Set<ContactBinding>>();
  /**
   * Bindings by the second their expiry falls in. A bucket emptied by remove/put stays until its
   * second is swept, so each second has one bucket and one entry in `seconds`.
   */
  private readonly byExpiry = new Map<number, Set<ContactBinding>>();
  /** the keys of byExpiry as a min-heap: the earliest second on top */
  private readonly seconds: number[] = [];
  /** kept up to date so size() does not walk every binding */
  private count = 0;

  async put(b: ContactBinding): Promise<void> {
    let contacts = this.byAor.get(b.aor);
    const prev = contacts?.get(b.contact);
    const stored = storedCopy(b, prev);
    if (contacts === undefined) {
      contacts = new Map();
      this.byAor.set(stored.aor, contacts);
    }
    // A refresh replaces the binding in the containers it is in (they are not rebuilt).
    if (prev === undefined) this.count++;
    else this.unlink(prev, stored.connectionId);
    contacts.set(stored.contact, stored);
    let set = this.byConnection.get(stored.connectionId);
    if (set === undefined) {
      set = new Set();
      this.byConnection.set(stored.connectionId, set);
    }
    set.add(stored);
    this.index(stored);
  }

  async remove(aor: string, contact: string): Promise<boolean> {
    return this.delete(aor, contact);
  }

  async forAor(aor: string): Promise<ContactBinding[]> {
    return [...(this.byAor.get(aor)?.values() ?? [])];
  }

  async forConnection(connectionId: string): Promise<ContactBinding[]> {
    return [...(this.byConnection.get(connectionId) ?? [])];
  }

  /** Visits the buckets of the seconds before now's (all expired) and now's own (partly). */
  async expire(now: number): Promise<ContactBinding[]> {
    const gone: ContactBinding[] = [];
    const nowSecond = secondOf(now);
    const heap = this.seconds;
    while (heap.length > 0 && heap[0]! < nowSecond) {
      const second = popMin(heap);
      const bucket = this.byExpiry.get(second);
      this.byExpiry.delete(second);
      if (bucket !== undefined) for (const b of bucket) gone.push(b);
    }
    const current = this.byExpiry.get(nowSecond);
    if (current !== undefined) for (const b of current) if (b.expiresAt <= now) gone.push(b);
    for (const b of gone) this.delete(b.aor, b.contact);
    return gone;
  }

  async size(): Promise<number> {
    return this.count;
  }

  private delete(aor: string, contact: string): boolean {
    const contacts = this.byAor.get(aor);
    const b = contacts?.get(contact);
    if (contacts === undefined || b === undefined) return false;
    contacts.delete(contact);
    this.count--;
    if (contacts.size === 0) this.byAor.delete(aor);
    this.unlink(b, undefined);
    return true;
  }

  /** Takes `b` out of the connection and expiry indexes; `staying`: its connection's set is kept. */
  private unlink(b: ContactBinding, staying: string | undefined): void {
    const set = this.byConnection.get(b.connectionId);
    set?.delete(b);
    if (set !== undefined && set.size === 0 && b.connectionId !== staying)
      this.byConnection.delete(b.connectionId);
    this.byExpiry.get(secondOf(b.expiresAt))?.delete(b);
  }

  private index(b: ContactBinding): void {
    const second = secondOf(b.expiresAt);
    // NaN never compares <= now: such a binding never expired before either, so it is not indexed.
    if (Number.isNaN(second)) return;
    let bucket = this.byExpiry.get(second);
    if (bucket === undefined) {
      bucket = new Set();
      this.byExpiry.set(second, bucket);
      pushHeap(this.seconds, second);
    }
    bucket.add(b);
  }
}

function secondOf(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * What the store keeps of a binding: a copy whose strings do not hold the parsed message's text
 * alive (values read from a message are slices of its whole text; see flatString). A refresh
 * of the same (aor, contact) reuses the previous binding's equal strings and arrays, so it
 * allocates little more than the binding object.
 */
function storedCopy(b: ContactBinding, prev: ContactBinding | undefined): ContactBinding {
  return {
    aor: prev?.aor ?? flatString(b.aor),
    contact: prev?.contact ?? flatString(b.contact),
    instanceId: keepOptional(b.instanceId, prev?.instanceId),
    regId: b.regId,
    connectionId: keep(b.connectionId, prev?.connectionId),
    expiresAt: b.expiresAt,
    serviceRoute: keepList(b.serviceRoute, prev?.serviceRoute),
    associatedUris: keepList(b.associatedUris, prev?.associatedUris),
    impi: keepOptional(b.impi, prev?.impi),
    callId: keep(b.callId, prev?.callId),
  };
}

function keep(value: string, prev: string | undefined): string {
  return value === prev ? prev : flatString(value);
}

function keepOptional(value: string | undefined, prev: string | undefined): string | undefined {
  return value === undefined ? undefined : keep(value, prev);
}

function keepList(values: readonly string[], prev: readonly string[] | undefined): readonly string[] {
  if (prev !== undefined && prev.length === values.length && prev.every((v, i) => v === values[i]))
    return prev;
  return values.map(flatString);
}

function pushHeap(heap: number[], value: number): void {
  let i = heap.push(value) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! <= value) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = value;
}

/** Removes and returns the smallest value of a non-empty heap. */
function popMin(heap: number[]): number {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && heap[right]! < heap[left]! ? right : left;
    if (heap[child]! >= last) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = last;
  return top;
}
