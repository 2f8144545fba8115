import { describe, expect, it } from 'vitest';
import { MemoryRegistrationStore } from './memory-registration-store.ts';
import type { ContactBinding } from './registration-store.ts';

function binding(n: number, over: Partial<ContactBinding> = {}): ContactBinding {
  return {
    aor: `sip:user${n % 3}@ims.lab`,
    contact: `sip:c${n}@x.invalid;transport=ws;ob`,
    instanceId: `<urn:uuid:00000000-0000-1000-8000-${String(n).padStart(12, '0')}>`,
    regId: 1,
    connectionId: `ws-${n % 4}`,
    expiresAt: 10_000,
    serviceRoute: ['<sip:orig@scscf.ims.lab;lr>'],
    associatedUris: [`<sip:user${n % 3}@ims.lab>`, '<tel:+15550100>'],
    impi: `user${n % 3}@ims.lab`,
    callId: `call-${n}`,
    ...over,
  };
}

const contacts = (bs: ContactBinding[]) => bs.map((b) => b.contact).sort();

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('MemoryRegistrationStore expiry index', () => {
  it('[STORE-registration-expire-refresh] expires exactly the expired bindings after refreshes moved some, never one by its old expiry', async () => {
    const s = new MemoryRegistrationStore();
    for (let n = 0; n < 6; n++) await s.put(binding(n, { expiresAt: 60_000 }));
    // Refreshes: 0 and 1 move later, 2 moves earlier; 3, 4 and 5 stay.
    await s.put(binding(0, { expiresAt: 300_000 }));
    await s.put(binding(1, { expiresAt: 120_500 }));
    await s.put(binding(2, { expiresAt: 30_000 }));
    expect(contacts(await s.expire(30_000))).toEqual([binding(2).contact]);
    expect(await s.expire(59_999)).toEqual([]);
    expect(contacts(await s.expire(60_000))).toEqual(contacts([binding(3), binding(4), binding(5)]));
    expect(await s.size()).toBe(2);
    // Within one second: only what is due at `now`, the rest of that second later.
    expect(await s.expire(120_499)).toEqual([]);
    expect(contacts(await s.expire(120_500))).toEqual([binding(1).contact]);
    expect(await s.expire(299_999)).toEqual([]);
    const last = await s.expire(1e12);
    expect(last.map((b) => b.expiresAt)).toEqual([300_000]);
    expect(await s.size()).toBe(0);
    expect(await s.forConnection('ws-0')).toEqual([]);
  });

  it('[STORE-registration-expire-refresh] expires a binding put with an expiry already passed, and leaves removed ones out', async () => {
    const s = new MemoryRegistrationStore();
    await s.put(binding(0, { expiresAt: 5_000 }));
    await s.put(binding(1, { expiresAt: 5_000 }));
    expect(await s.expire(10_000)).toHaveLength(2);
    await s.put(binding(2, { expiresAt: 1_000 })); // behind the last sweep
    await s.put(binding(3, { expiresAt: 12_000 }));
    expect(await s.remove(binding(3).aor, binding(3).contact)).toBe(true);
    expect(contacts(await s.expire(20_000))).toEqual([binding(2).contact]);
    expect(await s.size()).toBe(0);
  });

  it('[STORE-registration-expire-refresh] agrees with a walk over every binding through random puts, refreshes, removes and sweeps', async () => {
    const next = random(7);
    const s = new MemoryRegistrationStore();
    const model = new Map<string, ContactBinding>();
    let now = 1_700_000_000_000;
    for (let step = 0; step < 1500; step++) {
      const r = next();
      const n = Math.floor(next() * 200);
      const b = binding(n, { expiresAt: now + Math.floor(next() * 120_000) - 5_000 });
      if (r < 0.6) {
        await s.put(b);
        model.set(`${b.aor} ${b.contact}`, b);
      } else if (r < 0.75) {
        expect(await s.remove(b.aor, b.contact)).toBe(model.delete(`${b.aor} ${b.contact}`));
      } else {
        now += Math.floor(next() * 15_000);
        const due = [...model.values()].filter((m) => m.expiresAt <= now);
        for (const m of due) model.delete(`${m.aor} ${m.contact}`);
        const gone = await s.expire(now);
        expect(contacts(gone)).toEqual(contacts(due));
        for (const g of gone) expect(g.expiresAt).toBe(due.find((d) => d.contact === g.contact)?.expiresAt);
      }
      expect(await s.size()).toBe(model.size);
    }
  });
});

describe('MemoryRegistrationStore stored copies', () => {
  it('[DESIGN-speed-registration_put_copy] keeps its own copy of a binding, not the caller object or its arrays', async () => {
    const s = new MemoryRegistrationStore();
    const given = binding(0);
    await s.put(given);
    const [stored] = await s.forAor(given.aor);
    expect(stored).toEqual(given);
    expect(stored).not.toBe(given);
    expect(stored?.serviceRoute).not.toBe(given.serviceRoute);
    expect(stored?.associatedUris).not.toBe(given.associatedUris);
    expect(await s.forConnection(given.connectionId)).toEqual([stored]);
  });

  it('[DESIGN-speed-registration_put_copy] reuses the previous arrays on a refresh with equal values, new ones when they differ', async () => {
    const s = new MemoryRegistrationStore();
    await s.put(binding(0));
    const [first] = await s.forAor(binding(0).aor);
    // A refresh parsed from a new message: equal values in new arrays.
    await s.put(binding(0, { expiresAt: 20_000, serviceRoute: ['<sip:orig@scscf.ims.lab;lr>'] }));
    const [second] = await s.forAor(binding(0).aor);
    expect(second?.expiresAt).toBe(20_000);
    expect(second).not.toBe(first);
    expect(second?.serviceRoute).toBe(first?.serviceRoute);
    expect(second?.associatedUris).toBe(first?.associatedUris);
    // A changed Service-Route (and a longer P-Associated-URI list) is stored anew.
    await s.put(
      binding(0, {
        expiresAt: 30_000,
        serviceRoute: ['<sip:orig@scscf2.ims.lab;lr>'],
        associatedUris: [...binding(0).associatedUris, '<sip:alias@ims.lab>'],
      }),
    );
    const [third] = await s.forAor(binding(0).aor);
    expect(third?.serviceRoute).toEqual(['<sip:orig@scscf2.ims.lab;lr>']);
    expect(third?.serviceRoute).not.toBe(second?.serviceRoute);
    expect(third?.associatedUris).toHaveLength(3);
    expect(third?.associatedUris).not.toBe(second?.associatedUris);
    // Another contact of the same AOR starts with arrays of its own.
    await s.put(binding(3));
    const other = (await s.forAor(binding(0).aor)).find((b) => b.contact === binding(3).contact);
    expect(other?.serviceRoute).toEqual(binding(3).serviceRoute);
    expect(await s.size()).toBe(2);
  });
});
