import { SipHeaders } from './headers.ts';
import { type NameAddr, parseNameAddr, parseNameAddrList } from './name-addr.ts';
import { type CSeq, parseCSeq, parseMaxForwards } from './scalars.ts';
import { parseTopVia, parseVia, type Via } from './via.ts';

/**
 * The SIP message model (RFC 3261 §7). Header fields stay as received (see SipHeaders);
 * the typed views below parse on first use and are cached until the header changes.
 * Bodies are bytes: multipart bodies with NUL octets survive untouched.
 *
 * Accessors for the headers every message must carry (Via, From, To, Call-ID, CSeq) throw a
 * TypeError when the header is missing or malformed: messages from the wire have been checked
 * by the parser, so that can only be a programming mistake.
 */
abstract class SipMessageBase {
  headers: SipHeaders;
  body: Buffer;
  version: string;
  private cache: Map<string, { version: number; value: unknown }> | undefined;

  constructor(headers: SipHeaders, body: Buffer, version: string) {
    this.headers = headers;
    this.body = body;
    this.version = version;
  }

  /** Parses a header once per header-set version; `parse` returns a string on a fault. */
  typed<T>(key: string, parse: (h: SipHeaders) => T | string): T | string {
    if (this.cache === undefined) this.cache = new Map();
    const cache = this.cache;
    const hit = cache.get(key);
    if (hit !== undefined && hit.version === this.headers.version) return hit.value as T | string;
    const value = parse(this.headers);
    cache.set(key, { version: this.headers.version, value });
    return value;
  }

  /** Stores a typed view computed elsewhere (the parser's essential checks) for the current headers. */
  seed(key: string, value: unknown): void {
    if (this.cache === undefined) this.cache = new Map();
    this.cache.set(key, { version: this.headers.version, value });
  }

  private required<T>(key: string, parse: (h: SipHeaders) => T | string): T {
    const r = this.typed(key, parse);
    if (typeof r === 'string') throw new TypeError(`${key}: ${r}`);
    return r;
  }

  /**
   * All Via values, topmost first. The parser checks only the top Via, so on a message from
   * the wire use `viaList()`, which reports a malformed lower Via instead of throwing.
   */
  get vias(): Via[] {
    return this.required('via', viaOf);
  }

  /** All Via values, or a fault description when one is malformed. */
  viaList(): Via[] | string {
    return this.typed('via', viaOf);
  }

  /** The top Via (checked by the parser on every message from the wire). */
  get topVia(): Via {
    return this.required('via-top', topViaOf);
  }

  get from(): NameAddr {
    return this.required('from', (h) => addrOf(h, 'from'));
  }

  get to(): NameAddr {
    return this.required('to', (h) => addrOf(h, 'to'));
  }

  get callId(): string {
    const v = this.headers.get('call-id');
    if (v === undefined) throw new TypeError('Call-ID missing');
    return v;
  }

  get cseq(): CSeq {
    return this.required('cseq', (h) => {
      const v = h.get('cseq');
      return v === undefined ? 'CSeq missing' : parseCSeq(v);
    });
  }

  /** Contact values; a fault string when malformed, [] when absent. `*` is reported as 'star'. */
  contacts(): NameAddr[] | 'star' | string {
    return this.typed('contact', (h) => {
      const values = h.values('contact');
      if (values.length === 1 && values[0] === '*') return 'star' as const;
      return addrListOf(h, 'contact');
    });
  }

  /** Route, Record-Route, Path, Service-Route, P-Asserted-Identity ...: name-addr lists. */
  addresses(name: string): NameAddr[] | string {
    return this.typed(name.toLowerCase(), (h) => addrListOf(h, name));
  }

  /** Max-Forwards, undefined when absent. */
  get maxForwards(): number | undefined {
    const v = this.headers.get('max-forwards');
    if (v === undefined) return undefined;
    const n = parseMaxForwards(v);
    return typeof n === 'string' ? undefined : n;
  }
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;
  method: string;
  /** Request-URI text as received; parse with parseUri when routing on it. */
  uri: string;

  constructor(
    method: string,
    uri: string,
    headers = new SipHeaders(),
    body: Buffer = EMPTY,
    version = 'SIP/2.0',
  ) {
    super(headers, body, version);
    this.method = method;
    this.uri = uri;
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = 'response' as const;
  status: number;
  reason: string;

  constructor(
    status: number,
    reason: string,
    headers = new SipHeaders(),
    body: Buffer = EMPTY,
    version = 'SIP/2.0',
  ) {
    super(headers, body, version);
    this.status = status;
    this.reason = reason;
  }
}

export type SipMessage = SipRequest | SipResponse;

export const EMPTY: Buffer = Buffer.alloc(0);

function viaOf(h: SipHeaders): Via[] | string {
  const fields = h.all('via');
  if (fields.length === 0) return 'Via missing';
  const out: Via[] = [];
  for (const f of fields) {
    const r = parseVia(f.value);
    if (typeof r === 'string') return r;
    out.push(...r);
  }
  return out;
}

function topViaOf(h: SipHeaders): Via | string {
  const f = h.first('via');
  return f === undefined ? 'Via missing' : parseTopVia(f.value);
}

function addrOf(h: SipHeaders, name: string): NameAddr | string {
  const fields = h.all(name);
  if (fields.length === 0) return `${name} missing`;
  if (fields.length > 1) return `more than one ${name} header`;
  return parseNameAddr(fields[0]!.value);
}

function addrListOf(h: SipHeaders, name: string): NameAddr[] | string {
  const out: NameAddr[] = [];
  for (const f of h.all(name)) {
    const r = parseNameAddrList(f.value);
    if (typeof r === 'string') return `${name}: ${r}`;
    out.push(...r);
  }
  return out;
}
