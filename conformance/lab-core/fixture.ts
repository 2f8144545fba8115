/** Test support: lab core subscribers for every scheme, and a core started on a free loopback port. */

import { type LabCore, type LabCoreOptions, startLabCore } from './lab-core.ts';
import { parseSubscribers, type SubscriberDirectory } from './subscribers.ts';

export const DOMAIN = 'ims.lab';
/** TS 35.208 test set 1 (public test values) */
export const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
export const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
export const HSS_SQN = 32;

export function testSubscribers(): SubscriberDirectory {
  const aka = { k: K, opc: OPC, sqn: HSS_SQN, amf: '8000' };
  const r = parseSubscribers({
    subscribers: [
      {
        impi: 'alice@ims.lab',
        impus: ['sip:alice@ims.lab', 'tel:+15550100'],
        auth: ['digest-md5'],
        password: 'alice-pw',
      },
      { impi: 'sam@ims.lab', impus: ['sip:sam@ims.lab'], auth: ['digest-sha256'], password: 'sam-pw' },
      {
        impi: 'bob@ims.lab',
        impus: ['sip:bob@ims.lab'],
        auth: ['digest-sha256', 'digest-md5'],
        password: 'bob-pw',
      },
      { impi: 'carol@ims.lab', impus: ['sip:carol@ims.lab'], auth: ['akav1-md5'], ...aka },
      { impi: 'dave@ims.lab', impus: ['sip:dave@ims.lab'], auth: ['akav2-md5'], ...aka },
    ],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.subscribers;
}

export function startTestCore(o: Partial<LabCoreOptions> = {}): Promise<LabCore> {
  return startLabCore({ host: '127.0.0.1', port: 0, domain: DOMAIN, subscribers: testSubscribers(), ...o });
}
