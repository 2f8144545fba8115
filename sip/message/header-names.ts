/**
 * Header field names: compact forms (RFC 3261 §7.3.3 and later RFCs' registrations) map to
 * their long names; the key of a header is its long name in lower case. Canonical spellings
 * are used when this library creates a header.
 */

const COMPACT: Record<string, string> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'p-asserted-identity': 'P-Asserted-Identity',
  'p-preferred-identity': 'P-Preferred-Identity',
  'p-associated-uri': 'P-Associated-URI',
  'p-charging-vector': 'P-Charging-Vector',
  'p-charging-function-addresses': 'P-Charging-Function-Addresses',
  'p-visited-network-id': 'P-Visited-Network-ID',
  'p-access-network-info': 'P-Access-Network-Info',
  rack: 'RAck',
  rseq: 'RSeq',
};

/** Lower-case long name for a header name as it appears on the wire (compact forms expanded). */
export function headerKey(name: string): string {
  const hit = KEYS.get(name);
  if (hit !== undefined) return hit;
  let key = name.toLowerCase();
  if (key.length === 1) key = COMPACT[key] ?? key;
  // Spellings seen on the wire repeat; remember a bounded number of them.
  if (KEYS.size < MAX_KEYS) KEYS.set(name, key);
  return key;
}

const KEYS = new Map<string, string>();
const MAX_KEYS = 2048;

/** The conventional spelling of a header name given its key. */
export function canonicalName(key: string): string {
  const known = CANONICAL[key];
  if (known !== undefined) return known;
  let out = '';
  let up = true;
  for (let i = 0; i < key.length; i++) {
    const ch = key[i]!;
    out += up ? ch.toUpperCase() : ch;
    up = ch === '-';
  }
  return out;
}

/**
 * Headers whose grammar is a comma-separated list of values (RFC 3261 §7.3.1), so that
 * several fields may be combined and one field may carry several values. Authorization-type
 * headers are not here: their commas separate parameters.
 */
const LIST_HEADERS = new Set([
  'via',
  'contact',
  'route',
  'record-route',
  'path',
  'service-route',
  'p-associated-uri',
  'p-asserted-identity',
  'p-preferred-identity',
  'allow',
  'supported',
  'require',
  'proxy-require',
  'unsupported',
  'accept',
  'accept-encoding',
  'accept-language',
  'allow-events',
  'content-encoding',
  'in-reply-to',
  'security-client',
  'security-server',
  'security-verify',
  'accept-contact',
  'reject-contact',
  'request-disposition',
  'history-info',
  'reason',
  'warning',
  'alert-info',
  'call-info',
  'error-info',
]);

export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}
