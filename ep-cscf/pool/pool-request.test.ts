import { describe, expect, it } from 'vitest';
import { formatInitialImsAuthorization, parseDigestCredentials } from '../../sip/auth/index.ts';
import {
  type NameAddr,
  parseMessage,
  parseNameAddrList,
  type SipRequest,
  serialize,
} from '../../sip/index.ts';
import { buildPoolRegister, canonicalImpu, homeDomainOf, type PoolRegisterInput } from './pool-request.ts';

function contacts(value: string): NameAddr[] {
  const r = parseNameAddrList(value);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

const WIC_CONTACT =
  '<sip:x8k2@df7jal23ls0d.invalid;transport=ws>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1;expires=600';

function input(o: Partial<PoolRegisterInput> = {}): PoolRegisterInput {
  return {
    impu: 'sip:pool-1@ims.example.com',
    registrar: 'sip:ims.example.com',
    via: 'SIP/2.0/UDP 192.0.2.4:5060',
    callId: 'c0ffee@192.0.2.4',
    fromTag: 'f1',
    cseq: 7,
    contacts: contacts(WIC_CONTACT),
    removed: [],
    expires: 600,
    outbound: true,
    credentials: {
      header: 'Authorization',
      value: formatInitialImsAuthorization({
        impi: 'pool-1@ims.example.com',
        realm: 'ims.example.com',
        uri: 'sip:ims.example.com',
      }),
    },
    pathUri: 'sip:AbCdEf@192.0.2.4:5060;lr',
    visitedNetworkId: 'visited.example.net',
    icid: '0123456789abcdef0123456789abcdef',
    icidGeneratedAt: '192.0.2.4',
    ...o,
  };
}

/** Serialised and parsed again: what the core receives. */
function onTheWire(req: SipRequest): SipRequest {
  req.headers.set('Via', `${req.headers.get('via')};branch=z9hG4bKtest`);
  const parsed = parseMessage(serialize(req));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('does not parse');
  return parsed.message;
}

describe('the REGISTER of a pool identity toward the core (TS 33.203 Annex X.4, TS 24.229 §5.2.2.1)', () => {
  it('[TS33203-X.4-pool-register-as-ua] MUST register the leased IMPU (To and From) with its own Call-ID, From tag and CSeq, binding the client Contact without its expires parameter', () => {
    const req = onTheWire(buildPoolRegister(input()));
    expect(req.method).toBe('REGISTER');
    expect(req.uri).toBe('sip:ims.example.com');
    expect(req.to.uriText).toBe('sip:pool-1@ims.example.com');
    expect(req.from.uriText).toBe('sip:pool-1@ims.example.com');
    expect(req.from.params.value('tag')).toBe('f1');
    expect(req.callId).toBe('c0ffee@192.0.2.4');
    expect(req.cseq).toEqual({ seq: 7, method: 'REGISTER' });
    expect(req.headers.get('expires')).toBe('600');
    const c = req.contacts();
    if (!Array.isArray(c)) throw new Error('Contact');
    expect(c).toHaveLength(1);
    expect(c[0]?.uriText).toBe('sip:x8k2@df7jal23ls0d.invalid;transport=ws');
    expect(c[0]?.params.value('reg-id')).toBe('1');
    expect(c[0]?.params.value('+sip.instance')).toBe('<urn:uuid:00000000-0000-1000-8000-000A95A0E128>');
    expect(c[0]?.params.has('expires')).toBe(false);
    expect(req.maxForwards).toBe(70);
  });

  it('[TS33203-X.4-pool-register-as-ua] MUST remove contacts registered before with expires=0 in the same REGISTER', () => {
    const old = contacts('<sip:old@a.invalid;transport=ws>');
    const req = onTheWire(buildPoolRegister(input({ removed: old })));
    const c = req.contacts();
    if (!Array.isArray(c)) throw new Error('Contact');
    expect(c.map((x) => [x.uriText, x.params.value('expires')])).toEqual([
      ['sip:x8k2@df7jal23ls0d.invalid;transport=ws', undefined],
      ['sip:old@a.invalid;transport=ws', '0'],
    ]);
  });

  it('[TS24229-5.2.2.1-pool-path] MUST carry our Path with the flow token (ob for an outbound client), path in Supported and Require, P-Visited-Network-ID and a P-Charging-Vector', () => {
    const req = onTheWire(buildPoolRegister(input()));
    expect(req.headers.values('path')).toEqual(['<sip:AbCdEf@192.0.2.4:5060;lr;ob>']);
    expect(req.headers.values('supported')).toEqual(['path', 'outbound']);
    expect(req.headers.values('require')).toEqual(['path']);
    expect(req.headers.get('p-visited-network-id')).toBe('visited.example.net');
    expect(req.headers.get('p-charging-vector')).toBe(
      'icid-value=0123456789abcdef0123456789abcdef;icid-generated-at=192.0.2.4',
    );
    const plain = onTheWire(buildPoolRegister(input({ outbound: false })));
    expect(plain.headers.values('path')).toEqual(['<sip:AbCdEf@192.0.2.4:5060;lr>']);
    expect(plain.headers.values('supported')).toEqual(['path']);
  });

  it('[TS24229-5.1.1.2.1-pool-initial-authorization] MUST start with the initial IMS Authorization: username = the pool IMPI, empty nonce and response, and no integrity-protected (the core must challenge the eP-CSCF)', () => {
    const req = onTheWire(buildPoolRegister(input()));
    const values = req.headers.values('authorization');
    expect(values).toHaveLength(1);
    const c = parseDigestCredentials(values[0] ?? '');
    if (!c.ok) throw new Error('Authorization does not parse');
    expect(c.value.username).toBe('pool-1@ims.example.com');
    expect(c.value.realm).toBe('ims.example.com');
    expect(c.value.uri).toBe('sip:ims.example.com');
    expect(c.value.nonce).toBe('');
    expect(c.value.response).toBe('');
    expect(c.value.integrityProtected).toBeUndefined();
  });

  it('[TS24229-5.1.1.2.1-pool-initial-authorization] MUST put the answer to a proxy challenge in Proxy-Authorization', () => {
    const req = onTheWire(
      buildPoolRegister(
        input({ credentials: { header: 'Proxy-Authorization', value: 'Digest username="x"' } }),
      ),
    );
    expect(req.headers.values('authorization')).toEqual([]);
    expect(req.headers.values('proxy-authorization')).toEqual(['Digest username="x"']);
  });

  it('[TS24229-5.1.1.2.1-pool-initial-authorization] MUST take the home domain from the IMPI, else from the IMPU host; none for a non-SIP IMPU', () => {
    expect(homeDomainOf('sip:pool-1@ims.example.com', 'pool-1@home.example.com')).toBe('home.example.com');
    expect(homeDomainOf('sip:pool-1@ims.example.com;user=phone', 'pool-1')).toBe('ims.example.com');
    expect(homeDomainOf('tel:+15550100', 'pool-1@ims.example.com')).toBeUndefined();
    expect(canonicalImpu('sip:Pool-1@IMS.Example.com;user=phone')).toBe('sip:Pool-1@ims.example.com');
  });
});
