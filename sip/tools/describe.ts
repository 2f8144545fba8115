import type { SipMessage } from '../message/message.ts';
import type { NameAddr } from '../message/name-addr.ts';
import type { ParseFault } from '../parser/parse-fault.ts';
import { formatUri, parseUri, type Uri } from '../uri/uri.ts';

/**
 * Plain-JSON views of messages and faults for operators (npm run sip:parse) and logs.
 * Header text is held as latin1 (byte-preserving); here it is shown as UTF-8.
 */
export function describeMessage(m: SipMessage): Record<string, unknown> {
  const out: Record<string, unknown> =
    m.kind === 'request'
      ? {
          kind: 'request',
          method: text(m.method),
          requestUri: text(m.uri),
          uri: describeUri(m.uri),
          version: m.version,
        }
      : { kind: 'response', status: m.status, reason: text(m.reason), version: m.version };
  out['headers'] = m.headers.fields.map((f) => ({ name: text(f.name), value: text(f.value) }));
  out['via'] = m.vias.map((v) => ({
    transport: v.transport,
    host: v.host,
    port: v.port ?? null,
    params: Object.fromEntries(v.params.entries()),
  }));
  out['from'] = describeAddr(m.from);
  out['to'] = describeAddr(m.to);
  out['callId'] = text(m.callId);
  out['cseq'] = m.cseq;
  out['maxForwards'] = m.maxForwards ?? null;
  const contacts = m.contacts();
  out['contact'] =
    contacts === 'star'
      ? '*'
      : typeof contacts === 'string'
        ? { fault: contacts }
        : contacts.map(describeAddr);
  out['body'] = describeBody(m.body);
  return out;
}

export function describeFault(f: ParseFault): Record<string, unknown> {
  const { partial: _partial, ...rest } = f;
  return { ...rest, reason: text(f.reason) };
}

function describeAddr(a: NameAddr): Record<string, unknown> {
  return {
    displayName: a.displayName === undefined ? null : text(a.displayName),
    uri: text(formatUri(a.uri)),
    scheme: a.uri.scheme,
    params: Object.fromEntries(a.params.entries()),
  };
}

function describeUri(s: string): Record<string, unknown> | { fault: string } {
  const r = parseUri(s);
  if (!r.ok) return { fault: r.reason };
  const u: Uri = r.uri;
  if ('host' in u)
    return {
      scheme: u.scheme,
      user: u.user === undefined ? null : text(u.user),
      host: u.host,
      port: u.port ?? null,
      params: Object.fromEntries(u.params.entries()),
      headers: u.headers ?? null,
    };
  if ('number' in u)
    return { scheme: 'tel', number: u.number, params: Object.fromEntries(u.params.entries()) };
  return { scheme: u.scheme, opaque: text(u.opaque) };
}

function describeBody(b: Buffer): Record<string, unknown> {
  if (b.length === 0) return { length: 0 };
  const printable = !b.includes(0) && Buffer.from(b.toString('utf8'), 'utf8').equals(b);
  return printable
    ? { length: b.length, text: b.toString('utf8') }
    : { length: b.length, base64: b.toString('base64') };
}

/** latin1-held header text to UTF-8 when it is valid UTF-8, else as is. */
function text(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      const bytes = Buffer.from(s, 'latin1');
      const u = bytes.toString('utf8');
      return Buffer.from(u, 'utf8').equals(bytes) ? u : s;
    }
  }
  return s;
}
