/** Token requests and a password login through the wic, shared by the WAF's HTTP tests. */
import { expect } from 'vitest';
import type { RunningWaf } from '../../waf/index.ts';
import { authorizeWithPassword, Browser, form, pkcePair } from './browser.ts';
import { PASSWORD } from './fixtures.ts';

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

export async function tokenRequest(
  issuer: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const init = form(fields);
  const response = await fetch(`${issuer}/token`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), ...headers },
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

/** Logs `username` in through the wic with PKCE and exchanges the code; returns the token response. */
export async function wicLogin(
  waf: RunningWaf,
  username: string,
  browser = new Browser(),
): Promise<{ browser: Browser; body: Record<string, unknown> }> {
  const issuer = waf.issuer();
  const redirectUri = `${waf.origin}/callback`;
  const { verifier, challenge } = pkcePair();
  const { code } = await authorizeWithPassword(browser, {
    issuer,
    redirectUri,
    username,
    password: PASSWORD,
    challenge,
  });
  expect(code).toBeTypeOf('string');
  const token = await tokenRequest(issuer, {
    grant_type: 'authorization_code',
    code: code ?? '',
    redirect_uri: redirectUri,
    client_id: 'wic',
    code_verifier: verifier,
  });
  expect(token.status).toBe(200);
  return { browser, body: token.body };
}

/** RFC 7662 introspection with the WAF's resource-server client. */
export async function introspect(waf: RunningWaf, token: string): Promise<Record<string, unknown>> {
  const { id, secret } = waf.authority.resourceClient;
  const response = await fetch(`${waf.issuer()}/token/introspection`, {
    ...form({ token }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, secret) },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

export function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
