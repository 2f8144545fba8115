import { describe, expect, it } from 'vitest';
import {
  bearerErrorStatus,
  formatBearerChallenge,
  formatBearerCredentials,
  parseBearerChallenge,
  parseBearerCredentials,
} from './bearer.ts';

const JWT =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSIsImltcHUiOiJzaXA6YWxpY2VAaW1zIn0.MEUCIQD-_sig';

describe('Bearer in SIP (RFC 8898, RFC 6750, TS 24.371 A.3.2)', () => {
  it('[RFC8898-2.1.1-bearer-credentials] reads the RFC 8898 token68 form', () => {
    expect(parseBearerCredentials(`Bearer ${JWT}`)).toEqual({
      ok: true,
      value: { token: JWT, form: 'token68' },
    });
    expect(parseBearerCredentials(`bearer ${JWT}`)).toMatchObject({ ok: true });
  });

  it('[TS24371-A.3.2-access-token-form] reads the TS 24.371 access_token="..." form', () => {
    expect(parseBearerCredentials(`Bearer access_token="${JWT}"`)).toEqual({
      ok: true,
      value: { token: JWT, form: 'access_token' },
    });
  });

  it('[RFC8898-2.1.1-bearer-credentials] refuses other schemes and empty tokens', () => {
    expect(parseBearerCredentials('Digest username="a"')).toMatchObject({
      ok: false,
      error: { fault: 'bad-scheme' },
    });
    expect(parseBearerCredentials('Bearer')).toMatchObject({ ok: false });
    expect(parseBearerCredentials('Bearer access_token=""')).toMatchObject({ ok: false });
    expect(parseBearerCredentials('Bearer a b')).toMatchObject({ ok: false });
  });

  it('[RFC8898-2.1.1-bearer-credentials] writes either form and reads it back', () => {
    expect(formatBearerCredentials(JWT)).toBe(`Bearer ${JWT}`);
    expect(formatBearerCredentials(JWT, 'access_token')).toBe(`Bearer access_token="${JWT}"`);
    for (const form of ['token68', 'access_token'] as const) {
      expect(parseBearerCredentials(formatBearerCredentials(JWT, form))).toEqual({
        ok: true,
        value: { token: JWT, form },
      });
    }
  });

  it('[RFC8898-4-bearer-challenge] writes and reads a challenge with realm, scope, authz_server and error', () => {
    const text = formatBearerChallenge({
      realm: 'ims.example.org',
      scope: 'sip',
      authzServer: 'https://waf.example.org',
      error: 'invalid_token',
      errorDescription: 'The token expired',
    });
    expect(text).toBe(
      'Bearer realm="ims.example.org", scope="sip", authz_server="https://waf.example.org", error="invalid_token", error_description="The token expired"',
    );
    expect(parseBearerChallenge(text)).toEqual({
      ok: true,
      value: {
        realm: 'ims.example.org',
        scope: 'sip',
        authzServer: 'https://waf.example.org',
        error: 'invalid_token',
        errorDescription: 'The token expired',
        extensions: [],
      },
    });
    expect(formatBearerChallenge({})).toBe('Bearer');
    expect(parseBearerChallenge('Digest realm="r", nonce="n"')).toMatchObject({ ok: false });
  });

  it('[RFC6750-3.1-error-status] maps RFC 6750 §3.1 error codes to statuses', () => {
    expect(bearerErrorStatus('invalid_request')).toBe(400);
    expect(bearerErrorStatus('invalid_token')).toBe(401);
    expect(bearerErrorStatus('insufficient_scope')).toBe(403);
  });
});
