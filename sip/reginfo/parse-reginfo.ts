import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  CONTACT_EVENTS,
  CONTACT_STATES,
  type ContactEvent,
  type ContactState,
  REGINFO_NAMESPACE,
  REGISTRATION_STATES,
  type RegContact,
  type RegInfo,
  type Registration,
  type RegistrationState,
  type UnknownParam,
} from './reginfo.ts';

export type RegInfoResult =
  | { readonly ok: true; readonly value: RegInfo }
  | { readonly ok: false; readonly error: string };

/** Bodies above this size are refused before parsing (a reginfo NOTIFY is a few kB). */
export const MAX_REGINFO_BYTES = 256 * 1024;

type XmlNode = { readonly [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  alwaysCreateTextNode: true,
  textNodeName: '#text',
  trimValues: true,
  processEntities: true,
  isArray: (_name, _path, _leaf, isAttribute) => isAttribute !== true,
});

class Fault extends Error {}

/**
 * Reads a reginfo document (RFC 3680 §5, schema §6) from a NOTIFY body. The document must be
 * well-formed, its root `reginfo` in the reginfo namespace (any prefix), and every attribute the
 * schema requires present and in range. Elements of other namespaces (extensions such as the
 * GRUU ones of RFC 5628) are ignored. A DOCTYPE is refused: no reginfo document needs one, and
 * refusing it rules out entity expansion. Never throws.
 */
export function parseRegInfo(body: string | Uint8Array): RegInfoResult {
  try {
    return { ok: true, value: read(body) };
  } catch (e) {
    if (e instanceof Fault) return { ok: false, error: e.message };
    return { ok: false, error: `reginfo could not be parsed: ${(e as Error).message}` };
  }
}

function read(body: string | Uint8Array): RegInfo {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > MAX_REGINFO_BYTES)
    throw new Fault(`reginfo body of ${size} octets exceeds ${MAX_REGINFO_BYTES}`);
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  if (/<!DOCTYPE/i.test(text)) throw new Fault('reginfo must not contain a DOCTYPE');
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    throw new Fault(`reginfo is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = parser.parse(text) as XmlNode;
  const roots = Object.keys(doc).filter((k) => !k.startsWith('?') && !k.startsWith('#'));
  if (roots.length !== 1) throw new Fault('reginfo must have exactly one root element');
  const rootName = roots[0]!;
  const colon = rootName.indexOf(':');
  const prefix = colon < 0 ? '' : rootName.slice(0, colon + 1);
  if (rootName.slice(prefix.length) !== 'reginfo')
    throw new Fault(`root element is ${rootName}, not reginfo`);
  const root = only(doc, rootName, 'reginfo');
  const ns = attr(root, prefix === '' ? 'xmlns' : `xmlns:${prefix.slice(0, -1)}`);
  if (ns !== REGINFO_NAMESPACE) throw new Fault(`reginfo is not in the namespace ${REGINFO_NAMESPACE}`);
  const state = required(root, 'state', 'reginfo');
  if (state !== 'full' && state !== 'partial')
    throw new Fault(`reginfo state '${state}' is not full or partial`);
  const registrations = elements(root, `${prefix}registration`).map((r, i) =>
    registration(r, prefix, `registration ${i + 1}`),
  );
  return { version: count(root, 'version', 'reginfo', true)!, state, registrations };
}

function registration(node: XmlNode, prefix: string, where: string): Registration {
  return {
    aor: required(node, 'aor', where),
    id: required(node, 'id', where),
    state: oneOf<RegistrationState>(node, 'state', REGISTRATION_STATES, where),
    contacts: elements(node, `${prefix}contact`).map((c, i) =>
      contact(c, prefix, `${where} contact ${i + 1}`),
    ),
  };
}

function contact(node: XmlNode, prefix: string, where: string): RegContact {
  const uris = elements(node, `${prefix}uri`);
  if (uris.length !== 1) throw new Fault(`${where}: needs exactly one uri element`);
  const names = elements(node, `${prefix}display-name`);
  const params: UnknownParam[] = elements(node, `${prefix}unknown-param`).map((p) => ({
    name: required(p, 'name', `${where} unknown-param`),
    value: text(p),
  }));
  const uri = text(uris[0]!);
  if (uri === '') throw new Fault(`${where}: empty uri`);
  return {
    id: required(node, 'id', where),
    state: oneOf<ContactState>(node, 'state', CONTACT_STATES, where),
    event: oneOf<ContactEvent>(node, 'event', CONTACT_EVENTS, where),
    uri,
    displayName: names[0] === undefined ? undefined : text(names[0]),
    durationRegistered: count(node, 'duration-registered', where),
    expires: count(node, 'expires', where),
    retryAfter: count(node, 'retry-after', where),
    q: attr(node, 'q'),
    callId: attr(node, 'callid'),
    cseq: count(node, 'cseq', where),
    unknownParams: params,
  };
}

function elements(node: XmlNode, name: string): XmlNode[] {
  const v = node[name];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Fault(`unexpected content in ${name}`);
  return v.map((x) => (typeof x === 'object' && x !== null ? (x as XmlNode) : { '#text': String(x) }));
}

function only(node: XmlNode, key: string, where: string): XmlNode {
  const list = elements(node, key);
  if (list.length !== 1) throw new Fault(`${where}: expected one ${key} element`);
  return list[0]!;
}

function text(node: XmlNode): string {
  const t = node['#text'];
  return typeof t === 'string' ? t : t === undefined ? '' : String(t);
}

function attr(node: XmlNode, name: string): string | undefined {
  const v = node[`@${name}`];
  return typeof v === 'string' ? v : undefined;
}

function required(node: XmlNode, name: string, where: string): string {
  const v = attr(node, name);
  if (v === undefined) throw new Fault(`${where}: missing attribute '${name}'`);
  return v;
}

function oneOf<T extends string>(node: XmlNode, name: string, allowed: readonly T[], where: string): T {
  const v = required(node, name, where);
  const match = allowed.find((a) => a === v);
  if (match === undefined) throw new Fault(`${where}: ${name} '${v}' is not one of ${allowed.join(', ')}`);
  return match;
}

function count(node: XmlNode, name: string, where: string, mandatory = false): number | undefined {
  const v = mandatory ? required(node, name, where) : attr(node, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v)) throw new Fault(`${where}: ${name} '${v}' is not a non-negative integer`);
  return Number(v);
}
