import { headerKey } from './header-names.ts';
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
  /** typed views: flat triples (key, version of the header read, value), a handful per message */
  private cache: unknown[] | undefined;

  constructor(headers: SipHeaders, body: Buffer, version: string) {
    this.headers = headers;
    this.body = body;
    this.version = version;
    this.cache = undefined;
  }

  /** Parses a header once per header-set version; `parse` returns a string on a fault. */
  typed<T>(key: string, parse: (h: SipHeaders) => T | string): T | string {
    return this.view(key, undefined, parse, undefined);
  }

  /**
   * The cached view `key`, parsed again only when the header it reads (`dep`, a header key)
   * changed since; with no `dep` (a view that may read any header), when any header changed.
   * `arg` goes to `parse`, so that callers need no closure per call.
   */
  private view<T, A>(
    key: string,
    dep: string | undefined,
    parse: (h: SipHeaders, arg: A) => T | string,
    arg: A,
  ): T | string {
    const headers = this.headers;
    const stamp = dep === undefined ? headers.version : headers.versionOf(dep);
    const cache = this.cache;
    let slot = -1;
    if (cache !== undefined) {
      for (let i = 0; i < cache.length; i += 3) {
        if (cache[i] !== key) continue;
        if (cache[i + 1] === stamp) return cache[i + 2] as T | string;
        slot = i;
        break;
      }
    }
    const value = parse(headers, arg);
    this.store(slot, key, stamp, value);
    return value;
  }

  /**
   * Stores a view of one header computed elsewhere (the parser's essential checks, a transport
   * that rewrote the top Via) for the header `dep` as it is now.
   */
  seed(key: string, value: unknown, dep: string = key): void {
    const cache = this.cache;
    let slot = -1;
    if (cache !== undefined) {
      for (let i = 0; i < cache.length; i += 3) {
        if (cache[i] === key) {
          slot = i;
          break;
        }
      }
    }
    this.store(slot, key, this.headers.versionOf(dep), value);
  }

  private store(slot: number, key: string, stamp: number, value: unknown): void {
    if (slot >= 0) {
      const cache = this.cache!;
      cache[slot + 1] = stamp;
      cache[slot + 2] = value;
    } else if (this.cache === undefined) this.cache = [key, stamp, value];
    else this.cache.push(key, stamp, value);
  }

  private required<T, A>(key: string, parse: (h: SipHeaders, arg: A) => T | string, arg: A): T {
    const r = this.view(key, key === 'via-top' ? 'via' : key, parse, arg);
    if (typeof r === 'string') throw new TypeError(`${key}: ${r}`);
    return r;
  }

  /**
   * All Via values, topmost first. The parser checks only the top Via, so on a message from
   * the wire use `viaList()`, which reports a malformed lower Via instead of throwing.
   */
  get vias(): Via[] {
    return this.required('via', viaOf, undefined);
  }

  /** All Via values, or a fault description when one is malformed. */
  viaList(): Via[] | string {
    return this.view('via', 'via', viaOf, undefined);
  }

  /** The top Via (checked by the parser on every message from the wire). */
  get topVia(): Via {
    return this.required('via-top', topViaOf, undefined);
  }

  get from(): NameAddr {
    return this.required('from', addrOf, 'from');
  }

  get to(): NameAddr {
    return this.required('to', addrOf, 'to');
  }

  get callId(): string {
    const v = this.headers.get('call-id');
    if (v === undefined) throw new TypeError('Call-ID missing');
    return v;
  }

  get cseq(): CSeq {
    return this.required('cseq', cseqOf, undefined);
  }

  /** Contact values; a fault string when malformed, [] when absent. `*` is reported as 'star'. */
  contacts(): NameAddr[] | 'star' | string {
    return this.view('contact', 'contact', contactsOf, undefined);
  }

  /** Route, Record-Route, Path, Service-Route, P-Asserted-Identity ...: name-addr lists. */
  addresses(name: string): NameAddr[] | string {
    return this.view(name.toLowerCase(), headerKey(name), addrListOf, name);
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

function cseqOf(h: SipHeaders): CSeq | string {
  const v = h.get('cseq');
  return v === undefined ? 'CSeq missing' : parseCSeq(v);
}

function contactsOf(h: SipHeaders): NameAddr[] | 'star' | string {
  const values = h.values('contact');
  if (values.length === 1 && values[0] === '*') return 'star';
  return addrListOf(h, 'contact');
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
