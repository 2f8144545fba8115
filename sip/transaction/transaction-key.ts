import { flatString as flat } from '../grammar/flat-string.ts';
import type { SipRequest } from '../message/message.ts';
import { formatVia, type Via } from '../message/via.ts';

/**
 * Transaction keys: strings under which the layer files transactions, so that matching is one
 * Map lookup. Keys of RFC 3261 requests start with the branch (hence with "z9hG4bK"); keys of
 * RFC 2543 requests start with "#", which no branch of an RFC 3261 element does.
 */

/** §17.1.3: a response matches a client transaction by top-Via branch and CSeq method. */
export function clientKey(branch: string, method: string): string {
  return flat(`${branch}|${method}`);
}

/**
 * §17.2.3: a request with a magic-cookie branch matches by branch, sent-by and method, where
 * an ACK counts as the INVITE it acknowledges. CANCEL keeps its own method: it is a
 * transaction of its own that shares the INVITE's branch.
 */
export function serverKey(branch: string, via: Via, method: string): string {
  return flat(`${branch}|${sentBy(via)}|${method === 'ACK' ? 'INVITE' : method}`);
}

/**
 * §17.2.3, requests without the magic cookie (RFC 2543): Request-URI, To tag, From tag,
 * Call-ID, CSeq (number and method) and top Via. `method` overrides the CSeq method, so that
 * the layer can look up the INVITE a CANCEL targets (§9.2).
 */
export function legacyKey(request: SipRequest, method: string): string {
  return `#${request.uri}|${tag(request, 'to')}|${tag(request, 'from')}|${request.callId}|${request.cseq.seq}|${method}|${topViaText(request)}`;
}

/**
 * §17.2.3, an RFC 2543 ACK: Request-URI, From tag, Call-ID, CSeq number and top Via of the
 * INVITE. The To tag is then compared with the one of the response the transaction sent.
 */
export function legacyAckKey(request: SipRequest): string {
  return `#ACK|${request.uri}|${tag(request, 'from')}|${request.callId}|${request.cseq.seq}|${topViaText(request)}`;
}

/** sent-by as compared for matching: host case-insensitively, the port as written. */
function sentBy(via: Via): string {
  return via.port === undefined ? via.host.toLowerCase() : `${via.host.toLowerCase()}:${via.port}`;
}

function tag(request: SipRequest, header: 'to' | 'from'): string {
  return request[header].params.value('tag') ?? '';
}

/**
 * The top Via, normalised by parsing and formatting (spacing and the case of the protocol
 * and host are not significant); parameters are compared as written.
 */
function topViaText(request: SipRequest): string {
  const v = request.topVia;
  return formatVia({ ...v, host: v.host.toLowerCase() });
}
