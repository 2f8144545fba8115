import { type IntegrityProtected, removeAkaKeys, withIntegrityProtected } from '../../sip/auth/index.ts';
import type { SipRequest, SipResponse } from '../../sip/index.ts';

/**
 * The P-CSCF's edits of a REGISTER on its way to the core and of the responses on their way
 * back (TS 24.229 §5.2.2.1; RFC 3327; RFC 5626 §5; RFC 7315). Pure functions over the message:
 * the policy decides when they apply.
 */

export interface RegisterEdits {
  /** our Path URI carrying the flow token, e.g. sip:TOKEN@192.0.2.4:5060;lr */
  pathUri: string;
  /** add `ob` to the Path URI (RFC 5626 §5.1: outbound REGISTER over a single Via) */
  ob: boolean;
  visitedNetworkId: string;
  /** P-Charging-Vector: a globally unique icid and where it was generated (RFC 7315 §4.6) */
  icid: string;
  icidGeneratedAt: string;
  /** the integrity-protected value for the Authorization header, when one applies */
  integrity: IntegrityProtected | undefined;
}

/** Header fields a P-CSCF must not pass to the core for a WebRTC access (no sec-agree over WebSocket). */
const REMOVED = ['security-client', 'security-verify', 'security-server'];

export function editRegisterTowardCore(req: SipRequest, e: RegisterEdits): void {
  const h = req.headers;
  // RFC 3327 §5.1 / TS 24.229 §5.2.2.1: our Path on top, and path required from the registrar.
  h.prepend('Path', `<${e.pathUri}${e.ob ? ';ob' : ''}>`);
  if (!hasTag(req, 'supported', 'path')) h.append('Supported', 'path');
  if (!hasTag(req, 'require', 'path')) h.append('Require', 'path');
  for (const name of REMOVED) h.remove(name);
  removeTag(req, 'require', 'sec-agree');
  removeTag(req, 'proxy-require', 'sec-agree');
  h.set('P-Visited-Network-ID', quoteIfNeeded(e.visitedNetworkId));
  h.set('P-Charging-Vector', `icid-value=${e.icid};icid-generated-at=${e.icidGeneratedAt}`);
  if (e.integrity !== undefined) {
    const auth = h.first('authorization');
    if (auth !== undefined) {
      const r = withIntegrityProtected(auth.value, e.integrity);
      if (r.ok) h.set('Authorization', r.value);
    }
  }
}

/**
 * TS 24.229 §5.2.2.1: `ck` and `ik` of an AKA challenge never reach the client. Returns
 * whether a challenge was changed.
 */
export function stripAkaKeys(res: SipResponse): boolean {
  let changed = false;
  const h = res.headers;
  const values = h.all('www-authenticate').map((f) => f.value);
  if (values.length === 0) return false;
  const out: string[] = [];
  for (const v of values) {
    // Most challenges are digest ones: only a value naming ck or ik is parsed and rewritten.
    if (!AKA_KEY.test(v)) {
      out.push(v);
      continue;
    }
    const r = removeAkaKeys(v);
    if (r.ok && r.value.value !== v) {
      changed = true;
      out.push(r.value.value);
    } else out.push(v);
  }
  if (!changed) return false;
  h.remove('www-authenticate');
  for (const v of out) h.append('WWW-Authenticate', v);
  return true;
}

/** a `ck=` or `ik=` parameter (RFC 3310 §3.2), or anything that might hide one */
const AKA_KEY = /[ci]k\s*=/i;

function hasTag(m: SipRequest, header: string, tag: string): boolean {
  return m.headers.values(header).some((v) => v.toLowerCase() === tag);
}

/** Whether some field of `header` could name `tag` (no list splitting: most requests have none). */
function mayHaveTag(m: SipRequest, header: string, tag: string): boolean {
  for (const f of m.headers.all(header)) if (f.value.toLowerCase().includes(tag)) return true;
  return false;
}

function removeTag(m: SipRequest, header: string, tag: string): void {
  if (!mayHaveTag(m, header, tag)) return;
  const values = m.headers.values(header);
  const kept = values.filter((v) => v.toLowerCase() !== tag);
  if (kept.length === values.length) return;
  m.headers.remove(header);
  if (kept.length > 0) m.headers.append(header, kept.join(', '));
}

function quoteIfNeeded(v: string): string {
  return /^[A-Za-z0-9.!%*_+`'~-]+$/.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`;
}
