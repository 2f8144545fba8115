import type { SipHeaders } from './headers.ts';
import type { SipMessage } from './message.ts';
import { parseNameAddrList } from './name-addr.ts';
import { isCallId, parseExpires, parseSipDate, parseTokenList, parseUint } from './scalars.ts';

/** A header whose value does not follow its grammar. */
export interface HeaderFault {
  header: string;
  reason: string;
}

type Check = (value: string, all: string[]) => string | undefined;

const nameAddrList: Check = (v) => {
  const r = parseNameAddrList(v);
  return typeof r === 'string' ? r : undefined;
};
const tokens: Check = (_v, all) => {
  const r = parseTokenList(all);
  return typeof r === 'string' ? r : undefined;
};
const uint =
  (max: number): Check =>
  (v) => {
    const r = parseUint(v, max);
    return typeof r === 'string' ? r : undefined;
  };

/** Grammar checks for the headers this library interprets (beyond the essential ones the parser checks). */
const CHECKS: Record<string, Check> = {
  contact: (v, all) => (v === '*' ? undefined : nameAddrList(v, all)),
  route: nameAddrList,
  'record-route': nameAddrList,
  path: nameAddrList,
  'service-route': nameAddrList,
  'p-asserted-identity': nameAddrList,
  'p-preferred-identity': nameAddrList,
  'p-associated-uri': nameAddrList,
  'reply-to': nameAddrList,
  'refer-to': nameAddrList,
  require: tokens,
  'proxy-require': tokens,
  supported: tokens,
  unsupported: tokens,
  date: (v) => {
    const r = parseSipDate(v);
    return typeof r === 'string' ? r : undefined;
  },
  expires: (v) => {
    const r = parseExpires(v);
    return typeof r === 'string' ? r : undefined;
  },
  'min-expires': uint(2 ** 32 - 1),
  rseq: uint(2 ** 32 - 1),
  'in-reply-to': (v) =>
    v.split(',').every((x) => isCallId(x.trim())) ? undefined : 'not a list of Call-IDs',
  'content-type': (v: string) =>
    /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*(;.*)?$/.test(v)
      ? undefined
      : 'not a media type',
};

/**
 * Checks the grammar of every interpreted header of a parsed message (RFC 3261 §25.1) and
 * returns the faults found, in header order. A UAS or registrar answers 400 when this is not
 * empty; a proxy only checks the headers it acts on (RFC 3261 §16.3) and forwards the rest.
 */
export function validateHeaders(m: SipMessage): HeaderFault[] {
  return validateFields(m.headers);
}

export function validateFields(h: SipHeaders): HeaderFault[] {
  const faults: HeaderFault[] = [];
  for (const f of h.fields) {
    const check = CHECKS[f.key];
    if (check === undefined) continue;
    const all = f.key in LIST_CHECKED ? h.values(f.key) : [f.value];
    const reason = check(f.value, all);
    if (reason !== undefined) faults.push({ header: f.name, reason });
  }
  return faults;
}

const LIST_CHECKED: Record<string, true> = {
  require: true,
  'proxy-require': true,
  supported: true,
  unsupported: true,
};
