import type { SipRequest, SipResponse } from '../message/message.ts';
import type { NameAddr } from '../message/name-addr.ts';
import { formatUri } from '../uri/uri.ts';
import { addressWithoutTag, Dialog } from './dialog.ts';

export interface UasDialogOptions {
  /** the To tag this UAS put (or will put) in its response */
  readonly localTag: string;
  /** our Contact value (name-addr) for target refresh requests */
  readonly localContact: string;
  /** CSeq number already used locally (a subscriber creating its dialog from a NOTIFY passes its SUBSCRIBE's) */
  readonly localSeq?: number;
  /** whether the request arrived over TLS (with a sips Request-URI the dialog is secure) */
  readonly overTls?: boolean;
}

/**
 * The dialog a UAS creates when it answers a dialog-creating request (RFC 3261 §12.1.1): the
 * route set is the request's Record-Route in order, the remote target its Contact, the remote
 * CSeq its CSeq, the remote tag its From tag. Also what a subscriber does when a NOTIFY creates
 * the dialog before the 2xx to its SUBSCRIBE (RFC 6665 §4.1.2.4), with `localSeq` set.
 * Returns a fault string when the request cannot create a dialog.
 */
export function dialogAsUas(request: SipRequest, opts: UasDialogOptions): Dialog | string {
  const remoteTag = request.from.params.value('tag');
  if (remoteTag === undefined) return 'From has no tag';
  const target = firstContact(request.contacts());
  if (typeof target !== 'object') return target;
  const rr = request.addresses('record-route');
  if (typeof rr === 'string') return rr;
  const uri = request.uri.toLowerCase();
  return new Dialog({
    id: { callId: request.callId, localTag: opts.localTag, remoteTag },
    state: 'confirmed',
    localAddress: addressWithoutTag(request.to),
    remoteAddress: addressWithoutTag(request.from),
    localTarget: opts.localContact,
    remoteTarget: formatUri(target.uri),
    routeSet: request.headers.values('record-route'),
    localSeq: opts.localSeq,
    remoteSeq: request.cseq.seq,
    secure: opts.overTls === true && uri.startsWith('sips:'),
  });
}

/**
 * The dialog a UAC creates from a response with a To tag to its request (RFC 3261 §12.1.2): the
 * route set is the response's Record-Route reversed, the remote target its Contact, the local
 * CSeq the request's; the remote CSeq stays empty. A 1xx makes an early dialog, a 2xx a confirmed
 * one. Returns a fault string when the response cannot create a dialog.
 */
export function dialogAsUac(
  request: SipRequest,
  response: SipResponse,
  localContact: string,
): Dialog | string {
  const localTag = request.from.params.value('tag');
  const remoteTag = response.to.params.value('tag');
  if (localTag === undefined) return 'the request has no From tag';
  if (remoteTag === undefined) return 'the response has no To tag';
  const target = firstContact(response.contacts());
  if (typeof target !== 'object') return target;
  const rr = response.addresses('record-route');
  if (typeof rr === 'string') return rr;
  return new Dialog({
    id: { callId: request.callId, localTag, remoteTag },
    state: response.status < 200 ? 'early' : 'confirmed',
    localAddress: addressWithoutTag(request.from),
    remoteAddress: addressWithoutTag(response.to),
    localTarget: localContact,
    remoteTarget: formatUri(target.uri),
    routeSet: response.headers.values('record-route').reverse(),
    localSeq: request.cseq.seq,
    remoteSeq: undefined,
    secure: request.uri.toLowerCase().startsWith('sips:'),
  });
}

function firstContact(contacts: NameAddr[] | 'star' | string): NameAddr | string {
  if (contacts === 'star') return 'Contact * cannot be a remote target';
  if (typeof contacts === 'string') return contacts;
  const first = contacts[0];
  return first === undefined ? 'no Contact to use as the remote target' : first;
}
