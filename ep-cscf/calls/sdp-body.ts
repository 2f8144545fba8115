import type { SipMessage } from '../../sip/index.ts';

/** The SDP body of a message (Content-Type application/sdp, non-empty), as text. */
export function sdpOf(m: SipMessage): string | undefined {
  if (m.body.length === 0) return undefined;
  const type = m.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/sdp' ? m.body.toString('utf8') : undefined;
}

/** Replaces the SDP body (the serialiser writes the new Content-Length). */
export function setSdp(m: SipMessage, sdp: string): void {
  m.body = Buffer.from(sdp, 'utf8');
}

/** Methods whose request or response may carry an offer or answer (RFC 3264, RFC 3262, RFC 3311). */
export const SDP_METHODS: ReadonlySet<string> = new Set(['INVITE', 'UPDATE', 'PRACK', 'ACK']);
