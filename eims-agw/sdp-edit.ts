/**
 * The few line edits made to rtpengine's output SDP, on text (no re-serialisation, so
 * everything else stays byte for byte as rtpengine wrote it).
 *
 * RFC 8842 §5: an answer to an offer carrying `a=tls-id` carries one too. rtpengine 10 passes
 * the WIC's `a=tls-id` through to the IMS side (where there is no DTLS) and does not write one
 * toward the WIC, so the gateway moves it: stripped toward IMS, added toward the WIC.
 */
import { randomBytes } from 'node:crypto';

function splitLines(sdp: string): { lines: string[]; eol: string } {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return { lines: sdp.split(eol), eol };
}

/** Removes every `a=tls-id` line. */
export function stripTlsId(sdp: string): string {
  // Every SDP toward the IMS side comes through here; few carry one.
  if (!sdp.includes('a=tls-id:')) return sdp;
  const { lines, eol } = splitLines(sdp);
  return lines.filter((line) => !line.startsWith('a=tls-id:')).join(eol);
}

/** A tls-id value: 20 random bytes in base64url (RFC 8842 §4: 20 to 255 characters). */
export function newTlsId(): string {
  return randomBytes(20).toString('base64url');
}

/** Adds `a=tls-id:<id>` after the fingerprint of each media section that has one but no tls-id. */
export function addTlsId(sdp: string, id: string): string {
  const { lines, eol } = splitLines(sdp);
  const out: string[] = [];
  let section: string[] = [];
  const flush = (): void => {
    const isMedia = section[0]?.startsWith('m=') ?? false;
    const fingerprint = section.findIndex((line) => line.startsWith('a=fingerprint:'));
    if (isMedia && fingerprint >= 0 && !section.some((line) => line.startsWith('a=tls-id:')))
      section.splice(fingerprint + 1, 0, `a=tls-id:${id}`);
    out.push(...section);
    section = [];
  };
  for (const line of lines) {
    if (line.startsWith('m=')) flush();
    section.push(line);
  }
  flush();
  return out.join(eol);
}
