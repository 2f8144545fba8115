/**
 * Test support (not part of the public surface): a TransactionLayer on one loopback endpoint
 * ("local", 192.0.2.1:5060) facing a raw peer endpoint ("peer", 192.0.2.2:5060) that the test
 * drives by hand, all on a FakeClock. Messages are built as wire text and parsed, so they are
 * what a real peer would send.
 */
import { FakeClock } from '../clock/clock.ts';
import type { SipRequest, SipResponse } from '../message/message.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { type LoopbackEndpoint, type LoopbackNetwork, loopbackPair } from '../transport/loopback.ts';
import {
  type Destination,
  RELIABLE,
  type ReceivedMessage,
  type TransportError,
  type TransportProtocol,
} from '../transport/types.ts';
import { buildResponse } from './build-response.ts';
import type { InviteServerTransaction } from './ist.ts';
import type { TimerSettings } from './timers.ts';
import { TransactionLayer } from './transaction-layer.ts';
import type {
  ClientTransaction,
  ServerTransaction,
  Transaction,
  TransactionUser,
} from './transaction-user.ts';

export type TuEvent =
  | { type: 'request'; txn: ServerTransaction; rm: ReceivedMessage }
  | { type: 'response'; txn: ClientTransaction; response: SipResponse }
  | { type: 'timeout'; txn: Transaction }
  | { type: 'transport-error'; txn: Transaction; error: TransportError }
  | { type: 'terminated'; txn: Transaction }
  | { type: 'stray-ack'; rm: ReceivedMessage; accepted: InviteServerTransaction | undefined }
  | { type: 'stray-response'; rm: ReceivedMessage };

/** A TU that records every upcall and lets a test react to requests and responses. */
export class RecordingUser implements TransactionUser {
  readonly events: TuEvent[] = [];
  onRequest: ((txn: ServerTransaction, rm: ReceivedMessage) => void) | undefined;
  onResponse: ((txn: ClientTransaction, response: SipResponse) => void) | undefined;
  receiveStrayResponse: ((rm: ReceivedMessage) => void) | undefined;

  constructor(options: { stateless?: boolean } = {}) {
    if (options.stateless === true)
      this.receiveStrayResponse = (rm) => this.events.push({ type: 'stray-response', rm });
  }

  receiveRequest(txn: ServerTransaction, rm: ReceivedMessage): void {
    this.events.push({ type: 'request', txn, rm });
    this.onRequest?.(txn, rm);
  }
  receiveResponse(txn: ClientTransaction, response: SipResponse): void {
    this.events.push({ type: 'response', txn, response });
    this.onResponse?.(txn, response);
  }
  receiveStrayAck(rm: ReceivedMessage, accepted: InviteServerTransaction | undefined): void {
    this.events.push({ type: 'stray-ack', rm, accepted });
  }
  onTimeout(txn: Transaction): void {
    this.events.push({ type: 'timeout', txn });
  }
  onTransportError(txn: Transaction, error: TransportError): void {
    this.events.push({ type: 'transport-error', txn, error });
  }
  onTerminated(txn: Transaction): void {
    this.events.push({ type: 'terminated', txn });
  }

  /** Event types in order, e.g. ['response', 'terminated']. */
  types(): string[] {
    return this.events.map((e) => e.type);
  }

  responses(): SipResponse[] {
    return this.events.flatMap((e) => (e.type === 'response' ? [e.response] : []));
  }

  requests(): ReceivedMessage[] {
    return this.events.flatMap((e) => (e.type === 'request' ? [e.rm] : []));
  }

  clear(): void {
    this.events.length = 0;
  }
}

export interface Harness {
  protocol: TransportProtocol;
  reliable: boolean;
  clock: FakeClock;
  network: LoopbackNetwork;
  local: LoopbackEndpoint;
  peer: LoopbackEndpoint;
  layer: TransactionLayer;
  tu: RecordingUser;
  /** the layer's destination for requests to the peer */
  toPeer: Destination;
}

export function createHarness(
  protocol: TransportProtocol,
  options: { timers?: Partial<TimerSettings>; stateless?: boolean } = {},
): Harness {
  const clock = new FakeClock();
  const { network, a: local, b: peer } = loopbackPair({ clock });
  const tu = new RecordingUser({ stateless: options.stateless });
  const layer = new TransactionLayer({ transport: local, user: tu, clock, timers: options.timers });
  local.delegate = layer;
  return {
    protocol,
    reliable: RELIABLE[protocol],
    clock,
    network,
    local,
    peer,
    layer,
    tu,
    toPeer: { protocol, address: peer.address, port: peer.port },
  };
}

/** Lets rejected sends reach the transactions (promise callbacks run after the current task). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface RequestSpec {
  method: string;
  protocol: TransportProtocol;
  /** sent-by host and port (null: no port) */
  host?: string;
  port?: number | null;
  /** the branch; null for none (an RFC 2543 request); a fresh magic-cookie branch when absent */
  branch?: string | null;
  uri?: string;
  callId?: string;
  cseq?: number;
  cseqMethod?: string;
  fromTag?: string;
  toTag?: string;
  /** extra header lines */
  headers?: string[];
}

let counter = 0;

/** A request as a peer would put it on the wire, parsed. */
export function wireRequest(spec: RequestSpec): SipRequest {
  counter++;
  const branch = spec.branch === undefined ? `z9hG4bKtest${counter}` : spec.branch;
  const port = spec.port === null ? '' : `:${spec.port ?? 5060}`;
  const via = `SIP/2.0/${spec.protocol.toUpperCase()} ${spec.host ?? '192.0.2.2'}${port}${
    branch === null ? '' : `;branch=${branch}`
  };rport`;
  const lines = [
    `${spec.method} ${spec.uri ?? 'sip:bob@example.com'} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: <sip:alice@example.com>;tag=${spec.fromTag ?? 'from1'}`,
    `To: <sip:bob@example.com>${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}`,
    `Call-ID: ${spec.callId ?? `call${counter}@192.0.2.2`}`,
    `CSeq: ${spec.cseq ?? 1} ${spec.cseqMethod ?? spec.method}`,
    ...(spec.headers ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  const parsed = parseMessage(Buffer.from(lines.join('\r\n'), 'latin1'));
  if (!parsed.ok || parsed.message.kind !== 'request')
    throw new Error(`bad test request: ${JSON.stringify(parsed)}`);
  return parsed.message;
}

/** A request the local TU sends (sent-by 192.0.2.1:5060, no branch: the layer adds one). */
export function localRequest(
  method: string,
  protocol: TransportProtocol,
  extra: Partial<RequestSpec> = {},
): SipRequest {
  return wireRequest({ method, protocol, host: '192.0.2.1', branch: null, ...extra });
}

/** The messages the peer received, requests or responses. */
export function peerGot(h: Harness, method?: string): SipRequest[] {
  return h.peer.received.flatMap((rm) =>
    rm.message.kind === 'request' && (method === undefined || rm.message.method === method)
      ? [rm.message]
      : [],
  );
}

export function peerGotResponses(h: Harness, status?: number): SipResponse[] {
  return h.peer.received.flatMap((rm) =>
    rm.message.kind === 'response' && (status === undefined || rm.message.status === status)
      ? [rm.message]
      : [],
  );
}

/**
 * The peer answers the last request it received (of `method` when given, else the last one
 * that is not an ACK), back on its connection or to its source.
 */
export function peerReply(
  h: Harness,
  status: number,
  toTag: string | undefined = 'peer1',
  method?: string,
): SipResponse {
  const rm = [...h.peer.received]
    .reverse()
    .find(
      (r) =>
        r.message.kind === 'request' &&
        (method === undefined ? r.message.method !== 'ACK' : r.message.method === method),
    );
  if (rm === undefined || rm.message.kind !== 'request') throw new Error('the peer received no such request');
  const response = buildResponse(rm.message, status, 'Test', status === 100 ? undefined : toTag);
  void h.peer.send(response, replyDestination(rm));
  return response;
}

/** The peer sends a request to the layer under test. */
export function peerSend(h: Harness, request: SipRequest): void {
  void h.peer.send(request, { protocol: h.protocol, address: h.local.address, port: h.local.port });
}

function replyDestination(rm: ReceivedMessage): Destination {
  const s = rm.source;
  const d: Destination = { protocol: s.protocol, address: s.remoteAddress, port: s.remotePort };
  if (s.connectionId !== undefined) d.connectionId = s.connectionId;
  return d;
}

/** What the local endpoint sent, optionally only requests of a method or responses of a status. */
export function localSent(h: Harness, what?: string | number) {
  return h.local.sent.filter((r) => {
    const m = r.message;
    if (what === undefined) return true;
    return typeof what === 'number'
      ? m.kind === 'response' && m.status === what
      : m.kind === 'request' && m.method === what;
  });
}
