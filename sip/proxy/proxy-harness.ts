/**
 * Test support (not part of the public surface): three parties on one loopback network and a
 * FakeClock. A UAC transaction layer (192.0.2.1) sends to a proxy layer (192.0.2.10) whose TU
 * is a small proxy core calling `forward`; it forwards to one or more UAS layers (192.0.2.20,
 * .21, ...) whose cores the test scripts. Every message goes through serialise and parse.
 */
import { FakeClock } from '../clock/clock.ts';
import { reasonPhrase } from '../error/sip-error.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/message.ts';
import { parseMessage } from '../parser/parse-message.ts';
import {
  buildResponse,
  type ServerTransaction,
  type TimerSettings,
  type Transaction,
  TransactionLayer,
  type TransactionUser,
} from '../transaction/index.ts';
import { RecordingUser } from '../transaction/transaction-harness.ts';
import { type LoopbackEndpoint, LoopbackNetwork } from '../transport/loopback.ts';
import type { Destination, ReceivedMessage, TransportError, TransportProtocol } from '../transport/types.ts';
import { forwardCopy } from './forward-request.ts';
import { type ForwardContext, type ForwardOptions, forward } from './forwarder.ts';

export const UAC_ADDRESS = '192.0.2.1';
export const PROXY_ADDRESS = '192.0.2.10';
export const T1 = 500;
/** longer than every transaction timer (64*T1, Timer D) once a scenario has ended */
export const QUIET = 40_000;

export interface Party {
  endpoint: LoopbackEndpoint;
  layer: TransactionLayer;
  tu: RecordingUser;
}

/** What a UAS core does with a new request (CANCEL is handled by the harness). */
export type UasScript = (txn: ServerTransaction, request: SipRequest, uas: Uas) => void;

export interface Uas extends Party {
  index: number;
  tag: string;
  /** where the proxy sends to reach this UAS */
  destination: Destination;
  /** the UAS core's answer to each new request; nothing when absent */
  script: UasScript | undefined;
  /** answers `txn` with `status`, a To tag, and a Contact on 2xx */
  answer(txn: ServerTransaction, status: number): SipResponse;
}

/**
 * The proxy core under test: forwards each new request to `targets` (one branch each, our Via
 * on top with a new branch), answers CANCEL per RFC 3261 §16.10 and forwards the ACK for a 2xx
 * statelessly by its Request-URI (the Contact of the 2xx).
 */
export class ProxyCore implements TransactionUser {
  layer!: TransactionLayer;
  protocol: TransportProtocol = 'udp';
  targets: Destination[] = [];
  options: ForwardOptions = {};
  readonly contexts = new Map<ServerTransaction, ForwardContext>();
  /** every context created, in order */
  readonly created: ForwardContext[] = [];
  readonly events: Array<{ type: string; txn?: Transaction; error?: TransportError }> = [];
  readonly acksForwarded: SipRequest[] = [];

  receiveRequest(txn: ServerTransaction, rm: ReceivedMessage): void {
    const request = rm.message as SipRequest;
    if (request.method === 'CANCEL') {
      const invite = this.layer.findInviteForCancel(request);
      const ctx = invite === undefined ? undefined : this.contexts.get(invite);
      const status = ctx === undefined ? 481 : 200;
      txn.respond(buildResponse(request, status, reasonPhrase(status), 'proxy-cancel'));
      ctx?.cancel(request.headers.get('reason'));
      return;
    }
    const via = `SIP/2.0/${this.protocol.toUpperCase()} ${PROXY_ADDRESS}:5060`;
    const targets = this.targets.map((destination) => ({
      request: forwardCopy(request, via, this.layer.newBranch()),
      destination,
    }));
    const ctx = forward(this.layer, txn, targets, this.options);
    this.contexts.set(txn, ctx);
    this.created.push(ctx);
  }

  receiveResponse(): void {
    throw new Error('the proxy core sends no request of its own');
  }

  receiveStrayAck(rm: ReceivedMessage): void {
    const ack = rm.message as SipRequest;
    const m = /@([\d.]+):(\d+)/.exec(ack.uri);
    if (m === null) return;
    const via = `SIP/2.0/${this.protocol.toUpperCase()} ${PROXY_ADDRESS}:5060`;
    const copy = forwardCopy(ack, via, this.layer.newBranch());
    this.acksForwarded.push(copy);
    void this.layer.sendStateless(copy, { protocol: this.protocol, address: m[1]!, port: Number(m[2]) });
  }

  onTimeout(txn: Transaction): void {
    this.events.push({ type: 'timeout', txn });
  }
  onTransportError(txn: Transaction, error: TransportError): void {
    this.events.push({ type: 'transport-error', txn, error });
  }
  onTerminated(txn: Transaction): void {
    if (txn.kind === 'ist' || txn.kind === 'nist') this.contexts.delete(txn);
  }
}

export interface ProxyNet {
  protocol: TransportProtocol;
  clock: FakeClock;
  network: LoopbackNetwork;
  uac: Party;
  proxy: { endpoint: LoopbackEndpoint; layer: TransactionLayer; core: ProxyCore };
  uas: Uas[];
  /** where the UAC sends to reach the proxy */
  toProxy: Destination;
  /** every layer, for leak checks */
  layers(): TransactionLayer[];
}

/**
 * Builds the network: a UAC, a proxy forwarding to every UAS, `uasCount` UASs. `uacTimers`
 * lets the UAC wait longer than the proxy (so the proxy's 408 reaches it before its own Timer F).
 */
export function createProxyNet(
  protocol: TransportProtocol,
  uasCount = 1,
  options: { uacTimers?: Partial<TimerSettings> } = {},
): ProxyNet {
  const clock = new FakeClock();
  const network = new LoopbackNetwork({ clock });
  const party = (address: string, timers?: Partial<TimerSettings>): Party => {
    const endpoint = network.endpoint({ address, port: 5060 });
    const tu = new RecordingUser();
    const layer = new TransactionLayer({ transport: endpoint, user: tu, clock, timers });
    endpoint.delegate = layer;
    return { endpoint, layer, tu };
  };
  const uac = party(UAC_ADDRESS, options.uacTimers);
  const core = new ProxyCore();
  core.protocol = protocol;
  core.options = { clock };
  const proxyEndpoint = network.endpoint({ address: PROXY_ADDRESS, port: 5060 });
  const proxyLayer = new TransactionLayer({ transport: proxyEndpoint, user: core, clock });
  proxyEndpoint.delegate = proxyLayer;
  core.layer = proxyLayer;
  const uas: Uas[] = [];
  for (let i = 0; i < uasCount; i++) {
    const address = `192.0.2.${20 + i}`;
    const p = party(address);
    const u: Uas = {
      ...p,
      index: i,
      tag: `uas${i}`,
      destination: { protocol, address, port: 5060 },
      script: undefined,
      answer(txn, status) {
        const r = buildResponse(txn.request, status, reasonPhrase(status), u.tag);
        if (status >= 200 && status < 300) r.headers.append('Contact', `<sip:bob@${address}:5060>`);
        txn.respond(r);
        return r;
      },
    };
    p.tu.onRequest = (txn, rm) => uasCore(u, txn, rm);
    uas.push(u);
  }
  core.targets = uas.map((u) => u.destination);
  return {
    protocol,
    clock,
    network,
    uac,
    proxy: { endpoint: proxyEndpoint, layer: proxyLayer, core },
    uas,
    toProxy: { protocol, address: PROXY_ADDRESS, port: 5060 },
    layers: () => [uac.layer, proxyLayer, ...uas.map((u) => u.layer)],
  };
}

/** A UAS core: CANCEL answered 200 with the INVITE answered 487 (RFC 3261 §9.2); else the script. */
function uasCore(uas: Uas, txn: ServerTransaction, rm: ReceivedMessage): void {
  const request = rm.message as SipRequest;
  if (request.method !== 'CANCEL') {
    uas.script?.(txn, request, uas);
    return;
  }
  const invite = uas.layer.findInviteForCancel(request);
  txn.respond(buildResponse(request, invite === undefined ? 481 : 200, 'OK', uas.tag));
  if (invite?.state === 'Proceeding') uas.answer(invite, 487);
}

/** Parses wire text (lines joined with CRLF, blank line and body added) into a request. */
export function wire(lines: string[], body = ''): SipRequest {
  const text = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const parsed = parseMessage(Buffer.from(text, 'latin1'));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error(`bad test request: ${text}`);
  return parsed.message;
}

let calls = 0;

/** A request from the UAC to bob through the proxy, without a branch (its layer adds one). */
export function uacRequest(net: ProxyNet, method: string, extra: string[] = []): SipRequest {
  calls++;
  return wire([
    `${method} sip:bob@example.com SIP/2.0`,
    `Via: SIP/2.0/${net.protocol.toUpperCase()} ${UAC_ADDRESS}:5060`,
    'Max-Forwards: 70',
    `From: <sip:alice@example.com>;tag=uac${calls}`,
    'To: <sip:bob@example.com>',
    `Call-ID: proxy-test-${calls}@${UAC_ADDRESS}`,
    `CSeq: 1 ${method}`,
    ...extra,
  ]);
}

/** The ACK for a 2xx (RFC 3261 §13.2.2.4): end to end, to the Contact of the 2xx, new branch. */
export function ackFor2xx(net: ProxyNet, invite: SipRequest, ok: SipResponse): void {
  const contact = /<([^>]+)>/.exec(ok.headers.get('contact') ?? '')?.[1] ?? invite.uri;
  const ack = wire([
    `ACK ${contact} SIP/2.0`,
    `Via: SIP/2.0/${net.protocol.toUpperCase()} ${UAC_ADDRESS}:5060;branch=${net.uac.layer.newBranch()}`,
    'Max-Forwards: 70',
    `From: ${invite.headers.get('from')}`,
    `To: ${ok.headers.get('to')}`,
    `Call-ID: ${invite.callId}`,
    `CSeq: ${invite.cseq.seq} ACK`,
  ]);
  void net.uac.layer.sendStateless(ack, net.toProxy);
}

/** Lets rejected sends reach the transactions (promise callbacks run after the current task). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Advances the clock in steps, letting promise callbacks (transport failures) run between them. */
export async function run(net: ProxyNet, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    net.clock.advance(Math.min(step, ms - t));
    await settle();
  }
}

/** Status codes (with CSeq method) a party's TU received, in order. */
export function statuses(p: Party): string[] {
  return p.tu.responses().map((r) => `${r.status} ${r.cseq.method}`);
}

/** Messages an endpoint sent that match. */
export function sent(ep: LoopbackEndpoint, match: (m: SipMessage) => boolean): SipMessage[] {
  return ep.sent.filter((s) => match(s.message)).map((s) => s.message);
}

export const isRequest =
  (method: string) =>
  (m: SipMessage): boolean =>
    m.kind === 'request' && m.method === method;

export const isResponse =
  (status: number, method?: string) =>
  (m: SipMessage): boolean =>
    m.kind === 'response' && m.status === status && (method === undefined || m.cseq.method === method);
