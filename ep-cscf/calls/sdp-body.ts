import type { SipMessage } from '../../sip/index.ts';

/** Whether the message carries an SDP body (Content-Type application/sdp, non-empty). */
export function hasSdp(m: SipMessage): boolean {
  if (m.body.length === 0) return false;
  const type = m.headers.get('content-type');
  if (type === undefined) return false;
  const semi = type.indexOf(';');
  return (semi < 0 ? type : type.slice(0, semi)).trim().toLowerCase() === 'application/sdp';
}

/** The SDP body of a message (Content-Type application/sdp, non-empty), as text. */
export function sdpOf(m: SipMessage): string | undefined {
  return hasSdp(m) ? m.body.toString('utf8') : undefined;
}

/** Replaces the SDP body (the serialiser writes the new Content-Length). */
export function setSdp(m: SipMessage, sdp: string): void {
  m.body = Buffer.from(sdp, 'utf8');
}

/** Methods whose request or response may carry an offer or answer (RFC 3264, RFC 3262, RFC 3311). */
export const SDP_METHODS: ReadonlySet<string> = new Set(['INVITE', 'UPDATE', 'PRACK', 'ACK']);
