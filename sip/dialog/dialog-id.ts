import type { SipMessage } from '../message/message.ts';

/**
 * A dialog is identified by the Call-ID, the local tag and the remote tag (RFC 3261 §12).
 * Which of From/To holds which tag depends on the side: see `dialogIdOfRequest` and
 * `dialogIdOfResponse`.
 */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/** One string for Map keys. Call-ID compares case-sensitively, tags too (RFC 3261 §19.3). */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/**
 * The id of the dialog a received request belongs to, seen by its UAS: the local tag is the
 * To tag, the remote tag the From tag (RFC 3261 §12.2.2). undefined outside a dialog (no To tag).
 */
export function dialogIdOfRequest(request: SipMessage): DialogId | undefined {
  const localTag = request.to.params.value('tag');
  const remoteTag = request.from.params.value('tag');
  if (localTag === undefined || remoteTag === undefined) return undefined;
  return { callId: request.callId, localTag, remoteTag };
}

/**
 * The id of the dialog a received response belongs to, seen by the UAC: the local tag is the
 * From tag, the remote tag the To tag (RFC 3261 §12.1.2). undefined without a To tag.
 */
export function dialogIdOfResponse(response: SipMessage): DialogId | undefined {
  const localTag = response.from.params.value('tag');
  const remoteTag = response.to.params.value('tag');
  if (localTag === undefined || remoteTag === undefined) return undefined;
  return { callId: response.callId, localTag, remoteTag };
}
