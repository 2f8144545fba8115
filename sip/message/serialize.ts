import type { SipMessage } from './message.ts';

/**
 * Serialises a message once, for sending. Fields that were received and not changed are
 * written from their raw bytes (name spelling, compact form and folding preserved); others as
 * `Name: value`. Content-Length always states the body length: the field is rewritten when
 * it disagrees, and added when absent (stream transports require it, RFC 3261 §18.3).
 */
export function serialize(m: SipMessage): Buffer {
  let s =
    m.kind === 'request'
      ? `${m.method} ${m.uri} ${m.version}\r\n`
      : `${m.version} ${m.status} ${m.reason}\r\n`;
  const bodyLength = m.body.length;
  let sawLength = false;
  for (const f of m.headers.fields) {
    if (f.key === 'content-length') {
      if (sawLength) continue;
      sawLength = true;
      if (f.value !== String(bodyLength) || f.raw === undefined) {
        s += `${f.name}: ${bodyLength}\r\n`;
        continue;
      }
    }
    s += f.raw ?? `${f.name}: ${f.value}\r\n`;
  }
  if (!sawLength) s += `Content-Length: ${bodyLength}\r\n`;
  s += '\r\n';
  if (bodyLength === 0) return Buffer.from(s, 'latin1');
  const headLength = Buffer.byteLength(s, 'latin1');
  const out = Buffer.allocUnsafe(headLength + bodyLength);
  out.write(s, 0, 'latin1');
  m.body.copy(out, headLength);
  return out;
}
