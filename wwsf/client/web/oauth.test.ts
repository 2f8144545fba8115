import { describe, expect, it } from 'vitest';
import {
  authorizationUrl,
  exchangeCode,
  type Fetch,
  GUEST_GRANT,
  guestToken,
  OAuthError,
  parseMetadata,
  readRedirect,
  refreshTokens,
  type WafMetadata,
} from './oauth.ts';

const ISSUER = 'https://wrtc.example.com/oauth';
const META: WafMetadata = parseMetadata(
  {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/auth`,
    token_endpoint: `${ISSUER}/token`,
    end_session_endpoint: `${ISSUER}/session/end`,
  },
  ISSUER,
);

/** A token endpoint that records the form it got and answers `answer`. */
function tokenEndpoint(status: number, answer: unknown) {
  const forms: URLSearchParams[] = [];
  const fetcher: Fetch = async (url, init) => {
    expect(url).toBe(`${ISSUER}/token`);
    expect(init?.method).toBe('POST');
    forms.push(new URLSearchParams(String(init?.body)));
    return new Response(JSON.stringify(answer), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetcher, forms };
}

describe('OAuth client of the WIC', () => {
  it('[RFC7636-4.3-challenge] MUST send the S256 code challenge, state, scope and resource in the authorization request', () => {
    const url = new URL(
      authorizationUrl(META, {
        clientId: 'wic',
        redirectUri: 'https://wrtc.example.com/callback',
        scope: 'openid offline_access ims',
        resource: 'urn:webrtc-ims:ep-cscf',
        state: 'st4te',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        prompt: 'consent',
      }),
    );
    expect(url.origin + url.pathname).toBe(`${ISSUER}/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'wic',
      redirect_uri: 'https://wrtc.example.com/callback',
      scope: 'openid offline_access ims',
      resource: 'urn:webrtc-ims:ep-cscf',
      state: 'st4te',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      prompt: 'consent',
    });
  });

  it('[RFC7636-4.5-verifier] MUST send the code verifier with the code and read the token set', async () => {
    const { fetcher, forms } = tokenEndpoint(200, {
      access_token: 'at',
      token_type: 'Bearer',
      expires_in: 600,
      refresh_token: 'rt',
      id_token: 'it',
    });
    const set = await exchangeCode(
      fetcher,
      META,
      { clientId: 'wic', code: 'c0de', redirectUri: 'https://x/callback', verifier: 'v', resource: 'urn:r' },
      () => 1_000,
    );
    expect(Object.fromEntries(forms[0] ?? [])).toEqual({
      grant_type: 'authorization_code',
      client_id: 'wic',
      code: 'c0de',
      redirect_uri: 'https://x/callback',
      code_verifier: 'v',
      resource: 'urn:r',
    });
    expect(set).toEqual({ accessToken: 'at', expiresAt: 601_000, refreshToken: 'rt', idToken: 'it' });
  });

  it('[RFC6749-6-refresh] MUST keep the refresh token when the WAF does not rotate it', async () => {
    const { fetcher, forms } = tokenEndpoint(200, {
      access_token: 'at2',
      token_type: 'bearer',
      expires_in: 60,
    });
    const set = await refreshTokens(
      fetcher,
      META,
      { clientId: 'wic', refreshToken: 'rt', resource: '' },
      () => 0,
    );
    expect(forms[0]?.get('grant_type')).toBe('refresh_token');
    expect(forms[0]?.get('refresh_token')).toBe('rt');
    expect(set.refreshToken).toBe('rt');
    expect(set.accessToken).toBe('at2');
  });

  it('[RFC6749-5.2-error] MUST surface the error code and description of a refused token request', async () => {
    const { fetcher } = tokenEndpoint(400, {
      error: 'invalid_grant',
      error_description: 'guest access is disabled for domain x',
    });
    const refused = guestToken(fetcher, META, { clientId: 'wic', domain: 'x' });
    await expect(refused).rejects.toBeInstanceOf(OAuthError);
    await expect(refused).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    const { fetcher: f2, forms } = tokenEndpoint(200, {
      access_token: 'a',
      token_type: 'Bearer',
      expires_in: 5,
    });
    await guestToken(f2, META, { clientId: 'wic', domain: 'ims.lab' });
    expect(forms[0]?.get('grant_type')).toBe(GUEST_GRANT);
    expect(forms[0]?.get('domain')).toBe('ims.lab');
  });

  it('[RFC6749-5.1-bearer] MUST refuse a token answer that is not a Bearer access token', async () => {
    const { fetcher } = tokenEndpoint(200, { access_token: 'a', token_type: 'DPoP' });
    await expect(
      refreshTokens(fetcher, META, { clientId: 'wic', refreshToken: 'r', resource: '' }),
    ).rejects.toMatchObject({ error: 'invalid_response' });
    const down: Fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(guestToken(down, META, { clientId: 'wic', domain: 'd' })).rejects.toMatchObject({
      error: 'network',
    });
  });

  it('[OIDCDISCOVERY-4.3-issuer] MUST refuse metadata whose issuer is not the configured one', () => {
    expect(() => parseMetadata({ ...{ issuer: 'https://evil/oauth' } }, ISSUER)).toThrow(/issuer/);
  });

  it('[RFC6749-4.1.2-redirect] MUST read the code and state, or the error, from the redirect', () => {
    expect(readRedirect('https://x/callback?code=abc&state=s1')).toEqual({
      kind: 'code',
      code: 'abc',
      state: 's1',
    });
    expect(readRedirect('https://x/callback?error=access_denied&error_description=no&state=s1')).toEqual({
      kind: 'error',
      error: 'access_denied',
      description: 'no',
      state: 's1',
    });
    expect(readRedirect('https://x/')).toEqual({ kind: 'none' });
  });
});
