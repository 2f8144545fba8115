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
  if (KEYS.size < MAX_KEYS) {
    key = intern(key);
    KEYS.set(name, key);
  }
  return key;
}

/**
 * The engine's unique copy of s. Keys are compared on every header lookup, against each other
 * and against the literals in the code ('via', 'content-length'): unique copies compare by
 * identity, other strings character by character.
 */
function intern(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}

const KEYS = new Map<string, string>();
const MAX_KEYS = 2048;

/** A header name as written on the wire and its key (see headerKey); shared, never mutated. */
export interface WireName {
  readonly name: string;
  readonly key: string;
}

/**
 * Name and key of the field-name written in s[start, end) when that spelling has been seen
 * before, else undefined; found without cutting the name out of s or lower-casing it. The table
 * is keyed by the length and the first, second and last characters, each hit confirmed by
 * comparing those and then the others. Only tokens enter it (the canonical and compact spellings, and
 * names the parser checked before calling learnWireName), so a hit is a valid field-name.
 */
export function knownWireName(s: string, start: number, end: number): WireName | undefined {
  const len = end - start;
  if (len <= 0) return undefined;
  const edges = edgesOf(s, start, end);
  if (edges < 0) return undefined;
  let slot = slotOf(len, edges);
  for (let probe = 0; probe < MAX_PROBES; probe++, slot = (slot + 1) & WIRE_MASK) {
    const e = WIRE_SLOTS[slot];
    if (e === undefined) return undefined;
    if (WIRE_EDGES[slot] !== edges || e.name.length !== len) continue;
    // The first, second and last characters matched as `edges`: compare the others.
    let k = 2;
    while (k < len - 1 && s.charCodeAt(start + k) === e.name.charCodeAt(k)) k++;
    if (k >= len - 1) return e;
  }
  return undefined;
}

/**
 * The entry for a field-name the caller has checked to be a token: the known one, or a new one
 * keyed by headerKey and remembered (up to WIRE_MAX spellings, the bound of headerKey's cache;
 * probe chains stay within MAX_PROBES, so names crafted to collide cost little and are simply
 * not remembered).
 */
export function learnWireName(s: string, start: number, end: number): WireName {
  const known = knownWireName(s, start, end);
  if (known !== undefined) return known;
  const name = s.slice(start, end);
  const entry: WireName = { name, key: headerKey(name) };
  const edges = edgesOf(s, start, end);
  if (wireCount >= WIRE_MAX || edges < 0) return entry;
  let slot = slotOf(end - start, edges);
  for (let probe = 0; probe < MAX_PROBES; probe++, slot = (slot + 1) & WIRE_MASK) {
    if (WIRE_SLOTS[slot] === undefined) {
      WIRE_SLOTS[slot] = entry;
      WIRE_EDGES[slot] = edges;
      wireCount++;
      break;
    }
  }
  return entry;
}

/** The first, second and last characters of a name packed in 24 bits; -1 beyond latin1. */
function edgesOf(s: string, start: number, end: number): number {
  const c0 = s.charCodeAt(start);
  const c1 = s.charCodeAt(end - start > 1 ? start + 1 : start);
  const cl = s.charCodeAt(end - 1);
  return (c0 | c1 | cl) > 0xff ? -1 : c0 | (c1 << 8) | (cl << 16);
}

function slotOf(len: number, edges: number): number {
  const h = Math.imul(edges ^ Math.imul(len, 0x9e3779b1), 0x85ebca6b);
  return (h ^ (h >>> 15)) & WIRE_MASK;
}

const WIRE_SIZE = 4096;
const WIRE_MASK = WIRE_SIZE - 1;
const WIRE_MAX = MAX_KEYS;
const MAX_PROBES = 8;
const WIRE_SLOTS: Array<WireName | undefined> = new Array<WireName | undefined>(WIRE_SIZE).fill(undefined);
const WIRE_EDGES = new Int32Array(WIRE_SIZE);
let wireCount = 0;

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

/** Keys whose canonical spelling is seeded into the wire-name table, besides the compact forms. */
const COMMON_KEYS = (
  'via from to call-id cseq max-forwards contact content-type content-length route record-route ' +
  'path service-route allow supported require proxy-require unsupported user-agent server expires ' +
  'min-expires authorization www-authenticate proxy-authorization proxy-authenticate ' +
  'authentication-info session-expires min-se allow-events event subscription-state accept ' +
  'accept-encoding accept-language accept-contact reject-contact content-disposition ' +
  'content-encoding date timestamp organization subject priority privacy reason warning ' +
  'retry-after reply-to refer-to referred-by replaces rseq rack in-reply-to alert-info call-info ' +
  'error-info history-info mime-version security-client security-server security-verify ' +
  'p-asserted-identity p-preferred-identity p-associated-uri p-charging-vector ' +
  'p-charging-function-addresses p-visited-network-id p-access-network-info p-called-party-id ' +
  'p-early-media sip-etag sip-if-match identity identity-info request-disposition'
).split(' ');
for (const key of [...COMMON_KEYS, ...Object.keys(COMPACT)]) {
  const name = key.length === 1 ? key : canonicalName(key);
  learnWireName(name, 0, name.length);
}
