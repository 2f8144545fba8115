/**
 * Kamailio's location table as a test reads it: `kamcmd ul.dump` parsed into the contacts it
 * holds, with the Path each one was registered with (RFC 3327).
 */
import type { Kamailio } from '../kamailio/kamailio.ts';

export interface LocationContact {
  readonly aor: string;
  readonly address: string;
  /** the stored Path, e.g. `<sip:TOKEN@127.0.0.1:10003;lr;ob>`; undefined when none */
  readonly path: string | undefined;
  readonly expires: number;
  readonly callId: string;
  readonly cseq: number;
  readonly instance: string | undefined;
  readonly regId: number | undefined;
}

export async function readLocation(core: Kamailio): Promise<LocationContact[]> {
  return parseUlDump(await core.kamcmd('ul.dump'));
}

/** Parses the text `kamcmd ul.dump` prints (one `Contact: { ... }` block per binding). */
export function parseUlDump(text: string): LocationContact[] {
  const out: LocationContact[] = [];
  let aor = '';
  let fields: Map<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const aorMatch = /^AoR:\s*(.*)$/.exec(line);
    if (aorMatch !== null) {
      aor = aorMatch[1] ?? '';
      continue;
    }
    if (line === 'Contact: {') {
      fields = new Map();
      continue;
    }
    if (fields === undefined) continue;
    if (line === '}') {
      out.push(toContact(aor, fields));
      fields = undefined;
      continue;
    }
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (m !== null) fields.set(m[1] ?? '', m[2] ?? '');
  }
  return out;
}

function toContact(aor: string, f: Map<string, string>): LocationContact {
  const set = (v: string | undefined): string | undefined =>
    v === undefined || v === '[not set]' ? undefined : v;
  const regId = set(f.get('Reg-Id'));
  return {
    aor,
    address: f.get('Address') ?? '',
    path: set(f.get('Path')),
    expires: Number(f.get('Expires') ?? 'NaN'),
    callId: f.get('Call-ID') ?? '',
    cseq: Number(f.get('CSeq') ?? 'NaN'),
    instance: set(f.get('Instance')),
    regId: regId === undefined ? undefined : Number(regId),
  };
}

/** The user part of a Path value such as `<sip:TOKEN@host:port;lr;ob>`. */
export function pathUser(path: string): string | undefined {
  return /^<?sips?:([^@;>]+)@/.exec(path)?.[1];
}

/** The URI parameters of a Path value, lower-cased names. */
export function pathParams(path: string): string[] {
  const uri = path.replace(/^</, '').replace(/>.*$/, '');
  return uri
    .split(';')
    .slice(1)
    .map((p) => (p.split('=')[0] ?? '').toLowerCase());
}
