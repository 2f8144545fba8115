/**
 * The resource server's side of OAuth 2.0 Token Introspection (RFC 7662): POST the token to the
 * authorization server's introspection endpoint, authenticated as a confidential client with
 * HTTP Basic (RFC 7662 §2.1, RFC 6749 §2.3.1), and read the JSON answer (§2.2).
 */

export interface IntrospectionClient {
  /** the endpoint; undefined: discovered from the issuer's metadata */
  readonly endpoint?: string | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
}

export type IntrospectionAnswer =
  | { readonly kind: 'active'; readonly claims: Record<string, unknown> }
  | { readonly kind: 'inactive' }
  /** the endpoint could not be asked or answered out of protocol: nothing is known about the token */
  | { readonly kind: 'unavailable'; readonly reason: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before the Basic encoding. */
export function basicCredentials(clientId: string, clientSecret: string): string {
  const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

export async function introspect(
  endpoint: string,
  client: IntrospectionClient,
  token: string,
  timeoutMs = 5000,
): Promise<IntrospectionAnswer> {
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization: basicCredentials(client.clientId, client.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return {
      kind: 'unavailable',
      reason: `introspection failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    // 401/403: our own client credentials were refused — a configuration fault, not the token's.
    return { kind: 'unavailable', reason: `introspection answered HTTP ${res.status}` };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { kind: 'unavailable', reason: 'introspection answer is not JSON' };
  }
  if (!isRecord(body) || typeof body.active !== 'boolean')
    return { kind: 'unavailable', reason: 'introspection answer has no boolean "active"' };
  // RFC 7662 §2.2: anything but active=true means the token must not be accepted.
  return body.active ? { kind: 'active', claims: body } : { kind: 'inactive' };
}
