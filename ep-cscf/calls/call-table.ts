import type { MediaSide } from './media.ts';

/**
 * The INVITE dialogs passing through this eP-CSCF, by Call-ID: enough to release a call on the
 * IMS side when its WebSocket drops (TS 24.371 §7, RFC 5626 flow failure) and to release its
 * media. The eP-CSCF stays a proxy; this is the bookkeeping a P-CSCF keeps for release (TS 24.229
 * §5.2.8 "P-CSCF-initiated call release").
 */
export interface CallRecord {
  /** the table key: Call-ID, leg and flow */
  readonly callId: string;
  /** the SIP Call-ID */
  readonly sipCallId: string;
  readonly leg: 'orig' | 'term';
  /** the flow (connection) of the WebRTC client */
  readonly connectionId: string;
  /** who sent the initial INVITE */
  readonly caller: MediaSide;
  /** From of the initial INVITE (with tag) and its tag */
  readonly from: string;
  readonly fromTag: string;
  /** To of the initial INVITE (without tag) */
  readonly to: string;
  /** the tag of the answering side, once a 2xx arrived */
  toTag: string | undefined;
  /** the IMS side's remote target (its Contact) and route set from our point of view */
  imsTarget: string | undefined;
  imsRouteSet: string[];
  /** the highest CSeq the WIC used in this dialog (a BYE we send on its behalf uses the next one) */
  wicCseq: number;
  state: 'early' | 'confirmed';
  /** media anchored for this call */
  media: boolean;
  /** the forwarding of the initial INVITE, while it is pending (to cancel or fail it) */
  forward: { cancel(reason?: string): void; abort(status: number): void } | undefined;
}

export class CallTable {
  private readonly calls = new Map<string, CallRecord>();

  get size(): number {
    return this.calls.size;
  }

  get(callId: string): CallRecord | undefined {
    return this.calls.get(callId);
  }

  add(c: CallRecord): void {
    this.calls.set(c.callId, c);
  }

  remove(callId: string): CallRecord | undefined {
    const c = this.calls.get(callId);
    this.calls.delete(callId);
    return c;
  }

  all(): CallRecord[] {
    return [...this.calls.values()];
  }

  onConnection(connectionId: string): CallRecord[] {
    return [...this.calls.values()].filter((c) => c.connectionId === connectionId);
  }
}
