import { splitList } from '../grammar/quoted.ts';
import type { SipHeaders } from '../message/headers.ts';
import { formatVia, parseVia, type Via } from '../message/via.ts';
import { canonicalAddress } from './address.ts';

/**
 * RFC 3261 §18.2.1: a server receiving a request adds `received` with the packet's source
 * address to the top Via when the sent-by host is a domain name or an address other than the
 * source. RFC 3581 §4: when the top Via has `rport` without a value, the server fills in the
 * source port and adds `received` even when the addresses match.
 *
 * Only the first value of the first Via field is rewritten (its raw bytes are dropped so the
 * serialiser writes the new value); other values and fields stay as received. Returns whether
 * the Via changed. A Via that does not parse is left alone (the parser has already refused
 * such requests; this also serves error responses built from partial requests).
 *
 * `top`, when given, is that first value already parsed (the message's `topVia`): it is not
 * parsed again, and it is updated in place to match the new value.
 */
export function stampReceived(
  headers: SipHeaders,
  remoteAddress: string,
  remotePort: number,
  top?: Via,
): boolean {
  const fields = headers.fields;
  let index = -1;
  for (let i = 0; i < fields.length; i++) {
    if (fields[i]!.key === 'via') {
      index = i;
      break;
    }
  }
  if (index < 0) return false;
  const field = fields[index]!;
  const parts = field.value.indexOf(',') < 0 ? undefined : splitList(field.value);
  let via = top;
  if (via === undefined) {
    const topText = parts === undefined ? field.value : parts[0];
    if (topText === undefined) return false;
    const parsed = parseVia(topText);
    if (typeof parsed === 'string' || parsed.length !== 1) return false;
    via = parsed[0]!;
  }

  const source = canonicalAddress(remoteAddress);
  const rport = via.params.get('rport');
  const fillRport = rport === null;
  const sentBy = via.hostKind === 'ipv6' ? via.host.slice(1, -1) : via.host;
  const differs = via.hostKind === 'domain' || canonicalAddress(sentBy) !== source;
  if (!differs && !fillRport) return false;

  via.params.set('received', source);
  if (fillRport) via.params.set('rport', String(remotePort));
  const text = formatVia(via);
  const value = parts === undefined ? text : [text, ...parts.slice(1)].join(', ');
  fields[index] = { name: field.name, key: field.key, value, raw: undefined };
  headers.touch('via');
  return true;
}
