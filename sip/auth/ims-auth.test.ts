import { describe, expect, it } from 'vitest';
import { parseDigestChallenge } from './digest-challenge.ts';
import { parseDigestCredentials } from './digest-credentials.ts';
import {
  formatInitialImsAuthorization,
  isInitialImsAuthorization,
  removeAkaKeys,
  withIntegrityProtected,
} from './ims-auth.ts';

const REALM = 'ims.mnc001.mcc001.3gppnetwork.org';
const IMPI = `001010000000001@${REALM}`;

describe('IMS rules for the authentication headers (TS 24.229)', () => {
  it('[TS24229-5.1.1.2.1-initial-authorization] the initial REGISTER carries the IMPI with empty nonce and response (§5.1.1.2.1)', () => {
    const value = formatInitialImsAuthorization({ impi: IMPI, realm: REALM, uri: `sip:${REALM}` });
    expect(value).toBe(
      `Digest username="${IMPI}", realm="${REALM}", nonce="", uri="sip:${REALM}", response=""`,
    );
    const c = parseDigestCredentials(value);
    expect(c.ok && isInitialImsAuthorization(c.value)).toBe(true);
    const answered = parseDigestCredentials(value.replace('response=""', 'response="ab"'));
    expect(answered.ok && isInitialImsAuthorization(answered.value)).toBe(false);
  });

  it('[TS24229-5.2.2.1-integrity-protected] the P-CSCF sets integrity-protected, replacing one the UE put there (§5.2.2.1)', () => {
    const ue = `Digest username="${IMPI}", realm="${REALM}", nonce="", uri="sip:${REALM}", response="", integrity-protected=yes, x="1"`;
    const r = withIntegrityProtected(ue, 'tls-pending');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toBe(
      `Digest username="${IMPI}", realm="${REALM}", nonce="", uri="sip:${REALM}", response="", x="1", integrity-protected="tls-pending"`,
    );
    const c = parseDigestCredentials(r.value);
    expect(c.ok && c.value.integrityProtected).toBe('tls-pending');
    expect(withIntegrityProtected('Bearer abc', 'auth-done')).toEqual({ ok: true, value: 'Bearer abc' });
    expect(withIntegrityProtected('Digest realm="x', 'yes').ok).toBe(false);
  });

  it('[TS24229-5.2.2.1-remove-ck-ik] the P-CSCF takes ck and ik out of the 401 before it reaches the UE (§5.2.2.1)', () => {
    const scscf =
      'Digest realm="ims.example", nonce="I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=", algorithm=AKAv1-MD5, qop="auth", ck="b40ba9a3c58b2a05bbf0d987b21bf8cb", ik="f769bcd751044604127672711c6d3441"';
    const r = removeAkaKeys(scscf);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.ck).toBe('b40ba9a3c58b2a05bbf0d987b21bf8cb');
    expect(r.value.ik).toBe('f769bcd751044604127672711c6d3441');
    expect(r.value.value).not.toMatch(/\bck=|\bik=/);
    const c = parseDigestChallenge(r.value.value);
    expect(c.ok && [c.value.nonce, c.value.algorithm, c.value.qop]).toEqual([
      'I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=',
      'AKAv1-MD5',
      ['auth'],
    ]);
    const plain = 'Digest realm="r", nonce="n"';
    expect(removeAkaKeys(plain)).toEqual({ ok: true, value: { value: plain } });
  });
});
