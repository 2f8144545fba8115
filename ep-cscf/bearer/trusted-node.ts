import { formatInitialImsAuthorization, withIntegrityProtected } from '../../sip/auth/index.ts';
import { isSipUri, parseUri } from '../../sip/index.ts';

/**
 * The Authorization of a REGISTER the eP-CSCF vouches for (Trusted Node Authentication, TS 33.203
 * Annex U; TS 24.229 §7.2A.2 value `auth-done`, acted on by the S-CSCF per §5.4.1.1): the form of
 * an initial IMS REGISTER (§5.1.1.2.1: username = the IMPI, realm = the home domain, uri = the
 * Request-URI, empty nonce and response) with `integrity-protected="auth-done"`. The user was
 * authenticated by the WAF; the S-CSCF skips its own challenge when the request comes from a
 * node it trusts.
 *
 *   Authorization: Digest username="alice@ims.example", realm="ims.example", nonce="",
 *     uri="sip:ims.example", response="", integrity-protected="auth-done"
 */
export function trustedNodeAuthorization(impi: string, requestUri: string): string {
  const initial = formatInitialImsAuthorization({ impi, realm: realmOf(requestUri, impi), uri: requestUri });
  const marked = withIntegrityProtected(initial, 'auth-done');
  if (!marked.ok) throw new Error(`cannot mark the Authorization for ${impi}`);
  return marked.value;
}

/** The home domain: the registrar host of the Request-URI, else the IMPI's realm part. */
function realmOf(requestUri: string, impi: string): string {
  const u = parseUri(requestUri);
  if (u.ok && isSipUri(u.uri)) return u.uri.host.toLowerCase();
  const at = impi.lastIndexOf('@');
  return at >= 0 ? impi.slice(at + 1) : impi;
}
