import { describe, expect, it } from 'vitest';
import { digestAlgorithm } from './digest-algorithm.ts';
import { answerChallenge, chooseChallenge, digestChallengesIn } from './digest-answer.ts';
import { parseDigestCredentials } from './digest-credentials.ts';
import { computeDigestResponse } from './digest-response.ts';

const OPTS = {
  username: 'alice',
  secret: { password: 'pw' },
  method: 'INVITE',
  uri: 'sip:bob@example.com',
  cnonce: 'cn',
};

describe('answerChallenge (RFC 7616 §3.4, RFC 8760 §2.4)', () => {
  it('[RFC8760-2.4-algorithm-choice] picks the strongest hash, then the strongest qop', () => {
    const a = answerChallenge(
      [
        'Digest realm="r", nonce="n1", algorithm=MD5, qop="auth,auth-int"',
        'Digest realm="r", nonce="n2", algorithm=SHA-256-sess, qop="auth"',
        'Digest realm="r", nonce="n3", algorithm=SHA-256, qop="auth"',
        'Digest realm="r", nonce="n4", algorithm=SHA-256, qop="auth,auth-int"',
      ],
      OPTS,
    );
    if (!a.ok) throw new Error(a.error.message);
    expect([a.value.credentials.nonce, a.value.credentials.algorithm, a.value.credentials.qop]).toEqual([
      'n4',
      'SHA-256',
      'auth-int',
    ]);
    const parsed = parseDigestCredentials(a.value.value);
    expect(parsed.ok && parsed.value).toMatchObject({
      username: 'alice',
      nc: '00000001',
      cnonce: 'cn',
      uri: OPTS.uri,
    });
  });

  it('[RFC7616-3.4.1-response] computes the response the server expects', () => {
    const a = answerChallenge('Digest realm="r", nonce="n", qop="auth", opaque="o"', {
      ...OPTS,
      nc: 7,
      preferAuthInt: false,
    });
    if (!a.ok) throw new Error(a.error.message);
    expect(a.value.credentials).toMatchObject({
      nc: '00000007',
      qop: 'auth',
      opaque: 'o',
      algorithm: undefined,
    });
    const expected = computeDigestResponse(
      {
        algorithm: digestAlgorithm('MD5')!,
        username: 'alice',
        realm: 'r',
        nonce: 'n',
        method: 'INVITE',
        uri: OPTS.uri,
        qop: 'auth',
        nc: '00000007',
        cnonce: 'cn',
      },
      { password: 'pw' },
    );
    expect(a.value.credentials.response).toBe(expected);
  });

  it('[RFC8760-2.4-algorithm-choice] skips AKA, unknown algorithms and qops, other realms and schemes', () => {
    const values = [
      'Digest realm="r", nonce="n", algorithm=AKAv1-MD5, qop="auth"',
      'Digest realm="r", nonce="n", algorithm=SHA-1',
      'Digest realm="r", nonce="n", qop="auth-conf"',
      'Bearer realm="r"',
    ];
    expect(answerChallenge(values, OPTS)).toMatchObject({ ok: false });
    expect(answerChallenge('Digest realm="other", nonce="n"', { ...OPTS, realm: 'r' })).toMatchObject({
      ok: false,
    });
    const aka = answerChallenge(values, { ...OPTS, algorithms: ['AKAv1-MD5'] });
    expect(aka.ok && aka.value.credentials.algorithm).toBe('AKAv1-MD5');
  });

  it('[RFC7235-4.1-challenge-list] finds Digest challenges among several per value', () => {
    const found = digestChallengesIn(
      'Basic realm="x", Digest realm="r", nonce="n", Digest realm="s", nonce="m"',
    );
    expect(found.map((c) => c.realm)).toEqual(['r', 's']);
    expect(chooseChallenge(found, { accept: () => false })).toBeUndefined();
  });
});
