import type { ContactBinding, RegistrationStore } from './registration-store.ts';

/** The default RegistrationStore: in the process's memory, indexed by AOR and by connection. */
export class MemoryRegistrationStore implements RegistrationStore {
  private readonly byAor = new Map<string, Map<string, ContactBinding>>();
  private readonly byConnection = new Map<string, Set<ContactBinding>>();
  /** kept up to date so size() does not walk every binding */
  private count = 0;

  async put(b: ContactBinding): Promise<void> {
    this.delete(b.aor, b.contact);
    let contacts = this.byAor.get(b.aor);
    if (contacts === undefined) {
      contacts = new Map();
      this.byAor.set(b.aor, contacts);
    }
    contacts.set(b.contact, b);
    this.count++;
    let set = this.byConnection.get(b.connectionId);
    if (set === undefined) {
      set = new Set();
      this.byConnection.set(b.connectionId, set);
    }
    set.add(b);
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

  async expire(now: number): Promise<ContactBinding[]> {
    const gone: ContactBinding[] = [];
    for (const contacts of this.byAor.values())
      for (const b of contacts.values()) if (b.expiresAt <= now) gone.push(b);
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
    const set = this.byConnection.get(b.connectionId);
    set?.delete(b);
    if (set !== undefined && set.size === 0) this.byConnection.delete(b.connectionId);
    return true;
  }
}
