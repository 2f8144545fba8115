/** What a test UA can add to a request or response it sends: header fields and a body. */
import { randomBytes } from 'node:crypto';
import type { SipMessage } from '../../sip/index.ts';

export interface RequestOptions {
  /** header fields to add, in order, e.g. [['P-Preferred-Identity', '<tel:+15550100>']] */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
  /** default application/sdp when there is a body */
  readonly contentType?: string;
}

export function newTag(): string {
  return randomBytes(4).toString('hex');
}

/** Adds the header fields, the body and its Content-Type of `o` to a message. */
export function applyOptions(m: SipMessage, o: RequestOptions): void {
  for (const [name, value] of o.headers ?? []) m.headers.append(name, value);
  if (o.body === undefined) return;
  m.headers.set('Content-Type', o.contentType ?? 'application/sdp');
  m.body = Buffer.from(o.body, 'utf8');
}
