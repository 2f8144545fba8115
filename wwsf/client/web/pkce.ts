/**
 * Proof Key for Code Exchange (RFC 7636) for the web client, a public OAuth client: a
 * high-entropy code verifier (§4.1: 43..128 characters of [A-Z a-z 0-9 - . _ ~]), its S256
 * challenge (§4.2: BASE64URL(SHA-256(ASCII(verifier)))), and the `state` value that binds the
 * redirect back to this browser tab (RFC 6749 §10.12). Uses Web Crypto, as browsers and Node do.
 */

export interface PkcePair {
  readonly verifier: string;
  readonly challenge: string;
  readonly method: 'S256';
}

/** base64url without padding (RFC 4648 §5), as RFC 7636 Appendix A uses it. */
export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** A random string of `bytes` random octets, base64url-encoded (32 octets: 43 characters). */
export function randomToken(
  bytes = 32,
  random: (b: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b),
) {
  return base64Url(random(new Uint8Array(bytes)));
}

export async function s256Challenge(verifier: string): Promise<string> {
  if (!VERIFIER.test(verifier))
    throw new RangeError('a PKCE code verifier is 43 to 128 unreserved characters');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export async function createPkce(
  random: (b: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b),
): Promise<PkcePair> {
  const verifier = randomToken(32, random);
  return { verifier, challenge: await s256Challenge(verifier), method: 'S256' };
}
