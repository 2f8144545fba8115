import { REGINFO_NAMESPACE, type RegContact, type RegInfo, type Registration } from './reginfo.ts';

/**
 * Writes a reginfo document (RFC 3680 §5.4). Every value goes through XML escaping, so any
 * URI, display name or Call-ID a UA sent is safe to include.
 */
export function buildRegInfo(info: RegInfo): string {
  checkCount('version', info.version);
  let out =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<reginfo xmlns="${REGINFO_NAMESPACE}" version="${info.version}" state="${info.state}">\n`;
  for (const r of info.registrations) out += registration(r);
  return `${out}</reginfo>\n`;
}

function registration(r: Registration): string {
  let out = `  <registration aor="${escapeXml(r.aor)}" id="${escapeXml(r.id)}" state="${r.state}"`;
  if (r.contacts.length === 0) return `${out}/>\n`;
  out += '>\n';
  for (const c of r.contacts) out += contact(c);
  return `${out}  </registration>\n`;
}

function contact(c: RegContact): string {
  let attrs = ` id="${escapeXml(c.id)}" state="${c.state}" event="${c.event}"`;
  if (c.durationRegistered !== undefined)
    attrs += ` duration-registered="${checkCount('duration-registered', c.durationRegistered)}"`;
  if (c.expires !== undefined) attrs += ` expires="${checkCount('expires', c.expires)}"`;
  if (c.retryAfter !== undefined) attrs += ` retry-after="${checkCount('retry-after', c.retryAfter)}"`;
  if (c.q !== undefined) attrs += ` q="${escapeXml(c.q)}"`;
  if (c.callId !== undefined) attrs += ` callid="${escapeXml(c.callId)}"`;
  if (c.cseq !== undefined) attrs += ` cseq="${checkCount('cseq', c.cseq)}"`;
  let out = `    <contact${attrs}>\n      <uri>${escapeXml(c.uri)}</uri>\n`;
  if (c.displayName !== undefined) out += `      <display-name>${escapeXml(c.displayName)}</display-name>\n`;
  for (const p of c.unknownParams)
    out += `      <unknown-param name="${escapeXml(p.name)}">${escapeXml(p.value)}</unknown-param>\n`;
  return `${out}    </contact>\n`;
}

/** Escapes the five XML special characters; control characters XML 1.0 forbids are dropped. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']|[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => ESCAPES[c] ?? '');
}

const ESCAPES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};

function checkCount(name: string, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`reginfo ${name} must be a non-negative integer`);
  return n;
}
