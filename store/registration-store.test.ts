import { describe, expect, it } from 'vitest';
import { MemoryRegistrationStore } from './memory-registration-store.ts';
import type { ContactBinding, RegistrationStore } from './registration-store.ts';

function binding(over: Partial<ContactBinding> = {}): ContactBinding {
  return {
    aor: 'sip:alice@ims.lab',
    contact: 'sip:abc@df7jal23ls0d.invalid;transport=ws;ob',
    instanceId: '<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>',
    regId: 1,
    connectionId: 'ws-1',
    expiresAt: 10_000,
    serviceRoute: ['<sip:orig@scscf.ims.lab;lr>'],
    associatedUris: ['<sip:alice@ims.lab>'],
    impi: 'alice@ims.lab',
    callId: 'c1',
    ...over,
  };
}

/** The contract every RegistrationStore implementation must meet (run against each backend). */
export function registrationStoreContract(name: string, make: () => RegistrationStore): void {
  describe(`${name}: RegistrationStore contract`, () => {
    it('[STORE-registration-put-replace] keeps one binding per (AOR, contact), replacing on put', async () => {
      const s = make();
      await s.put(binding());
      await s.put(binding({ expiresAt: 20_000 }));
      expect(await s.size()).toBe(1);
      expect((await s.forAor('sip:alice@ims.lab'))[0]?.expiresAt).toBe(20_000);
    });

    it('[STORE-registration-by-connection] finds bindings by connection and forgets the old connection on re-register', async () => {
      const s = make();
      await s.put(binding());
      await s.put(binding({ aor: 'sip:bob@ims.lab', connectionId: 'ws-2' }));
      expect((await s.forConnection('ws-1')).map((b) => b.aor)).toEqual(['sip:alice@ims.lab']);
      await s.put(binding({ connectionId: 'ws-3' }));
      expect(await s.forConnection('ws-1')).toEqual([]);
      expect((await s.forConnection('ws-3')).length).toBe(1);
    });

    it('[STORE-registration-expire] removes and returns exactly the expired bindings', async () => {
      const s = make();
      await s.put(binding({ contact: 'sip:a@x.invalid', expiresAt: 5 }));
      await s.put(binding({ contact: 'sip:b@x.invalid', expiresAt: 50 }));
      const gone = await s.expire(10);
      expect(gone.map((b) => b.contact)).toEqual(['sip:a@x.invalid']);
      expect(await s.size()).toBe(1);
      expect(await s.forConnection('ws-1')).toHaveLength(1);
    });

    it('[STORE-registration-remove] removes a binding and leaves no index entry behind', async () => {
      const s = make();
      await s.put(binding());
      expect(await s.remove('sip:alice@ims.lab', binding().contact)).toBe(true);
      expect(await s.remove('sip:alice@ims.lab', binding().contact)).toBe(false);
      expect(await s.forAor('sip:alice@ims.lab')).toEqual([]);
      expect(await s.forConnection('ws-1')).toEqual([]);
      expect(await s.size()).toBe(0);
    });
  });
}

registrationStoreContract('MemoryRegistrationStore', () => new MemoryRegistrationStore());
