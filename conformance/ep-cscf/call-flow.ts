/**
 * The basic call between two test clients, step by step as a user sees it: INVITE with an offer,
 * 180 from the callee, 200 with the answer, ACK. Every message is returned so that a test can
 * assert on what each side received.
 */
import type { SipRequest, SipResponse } from '../../sip/index.ts';
import type { CallDialog, IncomingRequest, OutgoingInvite } from './call-dialog.ts';
import type { RequestOptions } from './call-options.ts';
import { webrtcSdp } from './call-sdp.ts';
import type { CallUa } from './call-ua.ts';

export interface EstablishedCall {
  readonly invite: OutgoingInvite;
  /** the INVITE as the callee received it */
  readonly received: IncomingRequest;
  readonly ringing: SipResponse;
  /** the 200 as the caller received it */
  readonly ok: SipResponse;
  /** the ACK as the callee received it */
  readonly ack: SipRequest;
  readonly caller: CallDialog;
  readonly callee: CallDialog;
  readonly offer: string;
  readonly answer: string;
}

/** `from` calls `to` (its IMPU) and `to` answers; `o` adds header fields to the INVITE. */
export async function establishCall(
  from: CallUa,
  to: CallUa,
  o: Pick<RequestOptions, 'headers'> = {},
): Promise<EstablishedCall> {
  const offer = webrtcSdp({ user: 'caller' });
  const answer = webrtcSdp({ user: 'callee', setup: 'active' });
  const invite = from.invite(to.impu, { ...o, body: offer });
  const received = await to.incoming('INVITE', invite.callId);
  received.reply(180);
  const ringing = await invite.provisional();
  const callee = received.answer({ body: answer });
  const { response: ok, dialog: caller } = await invite.answered();
  const ack = (await to.incoming('ACK', invite.callId)).request;
  return { invite, received, ringing, ok, ack, caller, callee, offer, answer };
}

/** `by` hangs up: the other side must receive the BYE and answer 200, which must reach `by`. */
export async function hangUp(
  by: CallDialog,
  other: CallDialog,
): Promise<{ bye: SipRequest; ok: SipResponse }> {
  const pending = by.request('BYE');
  const bye = await other.incoming('BYE');
  bye.reply(200);
  return { bye: bye.request, ok: await pending };
}
