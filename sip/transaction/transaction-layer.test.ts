import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SipRequest } from '../message/message.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { buildAck } from './build-ack.ts';
import { buildResponse } from './build-response.ts';
import { createCancel } from './create-cancel.ts';
import {
  createHarness,
  type Harness,
  localRequest,
  peerGot,
  peerGotResponses,
  peerReply,
  peerSend,
  wireRequest,
} from './transaction-harness.ts';
import type { ServerTransaction } from './transaction-user.ts';

const TIMEOUT = 64 * 500;

function deliver(h: Harness): void {
  h.clock.advance(0);
}

/** The peer sends `request`; returns the server transaction the TU got, if a new one was made. */
function send(h: Harness, request: SipRequest): ServerTransaction | undefined {
  const before = h.tu.events.length;
  peerSend(h, request);
  deliver(h);
  const e = h.tu.events.slice(before).find((x) => x.type === 'request');
  return e?.type === 'request' ? e.txn : undefined;
}

function answer(h: Harness, txn: ServerTransaction, status: number, toTag = 'uas1'): void {
  txn.respond(buildResponse(txn.request, status, 'Test', toTag));
  deliver(h);
}

function vector(name: string): SipRequest {
  const bytes = readFileSync(new URL(`../../../shared/vectors/rfc4475/${name}`, import.meta.url));
  const r = parseMessage(bytes);
  if (!r.ok || r.message.kind !== 'request') throw new Error(`${name} did not parse`);
  return r.message;
}

describe.each(['udp', 'tcp'] as const)('transaction layer over %s', (protocol) => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness(protocol);
  });
  afterEach(() => {
    for (const e of h.tu.events)
      if (e.type === 'request' && (e.txn.state === 'Trying' || e.txn.state === 'Proceeding'))
        answer(h, e.txn, 500);
    h.clock.advance(2 * TIMEOUT);
    expect(h.layer.size).toBe(0);
    expect(h.clock.pending).toBe(0);
  });

  it('[RFC3261-17.2.3-match-branch] MUST match requests by branch, sent-by and method, an ACK to its INVITE', () => {
    const a = wireRequest({ method: 'MESSAGE', protocol, branch: 'z9hG4bKsame' });
    const txn = send(h, a);
    expect(txn?.kind).toBe('nist');
    expect(send(h, a)).toBeUndefined(); // retransmission
    const otherPort = wireRequest({ method: 'MESSAGE', protocol, branch: 'z9hG4bKsame', port: 5070 });
    const otherHost = wireRequest({
      method: 'MESSAGE',
      protocol,
      branch: 'z9hG4bKsame',
      host: 'peer.example.com',
    });
    const otherMethod = wireRequest({ method: 'OPTIONS', protocol, branch: 'z9hG4bKsame' });
    expect(send(h, otherPort)).toBeDefined();
    expect(send(h, otherHost)).toBeDefined();
    expect(send(h, otherMethod)).toBeDefined();
    expect(h.tu.requests()).toHaveLength(4);

    const invite = wireRequest({ method: 'INVITE', protocol, branch: 'z9hG4bKinv' });
    const ist = send(h, invite)!;
    answer(h, ist, 486);
    send(h, buildAck(invite, peerGotResponses(h, 486)[0]!));
    expect(ist.state).toBe(h.reliable ? 'Terminated' : 'Confirmed');
    expect(h.tu.events.filter((e) => e.type === 'stray-ack')).toHaveLength(0);
  });

  it('[RFC3261-17.2.3-ack-2xx-stray] MUST pass an ACK that matches no transaction (the ACK for a 2xx) to the TU', () => {
    const invite = wireRequest({ method: 'INVITE', protocol });
    const ist = send(h, invite)!;
    answer(h, ist, 200);
    const ack = wireRequest({ method: 'ACK', protocol, callId: invite.callId, toTag: 'uas1' }); // new branch
    expect(send(h, ack)).toBeUndefined();
    const e = h.tu.events.at(-1);
    expect(e?.type).toBe('stray-ack');
    expect(e?.type === 'stray-ack' && e.accepted).toBeUndefined();
    expect(h.layer.counters.strayAcks).toBe(1);
  });

  it('[RFC3261-9.2-cancel-match] MUST give CANCEL its own transaction and find the INVITE it targets', () => {
    const invite = wireRequest({ method: 'INVITE', protocol });
    const ist = send(h, invite)!;
    const cancel = createCancel(invite);
    const cancelTxn = send(h, cancel);
    expect(cancelTxn?.kind).toBe('nist');
    expect(cancelTxn?.request.method).toBe('CANCEL');
    expect(h.layer.findInviteForCancel(cancelTxn!.request)).toBe(ist);
    expect(ist.state).toBe('Proceeding'); // the CANCEL did not touch the INVITE transaction
    const stranger = createCancel(wireRequest({ method: 'INVITE', protocol }));
    expect(h.layer.findInviteForCancel(stranger)).toBeUndefined();
    // the TU's part of §9.2: 200 to the CANCEL, 487 to the INVITE
    answer(h, cancelTxn!, 200);
    answer(h, ist, 487);
    expect(peerGotResponses(h).map((r) => `${r.status} ${r.cseq.method}`)).toContain('487 INVITE');
  });

  it('[RFC3261-17.2.3-rfc2543] MUST match requests without the magic cookie on URI, tags, Call-ID, CSeq and top Via', () => {
    const invite = wireRequest({ method: 'INVITE', protocol, branch: null, callId: 'old@host' });
    const ist = send(h, invite)!;
    expect(send(h, invite)).toBeUndefined(); // retransmission
    const cancel = createCancel(invite);
    const cancelTxn = send(h, cancel)!;
    expect(h.layer.findInviteForCancel(cancelTxn.request)).toBe(ist);
    answer(h, cancelTxn, 200);
    answer(h, ist, 487, 'uas9');
    const wrongTag = wireRequest({
      method: 'ACK',
      protocol,
      branch: null,
      callId: 'old@host',
      toTag: 'other',
    });
    send(h, wrongTag);
    expect(h.tu.events.at(-1)?.type).toBe('stray-ack');
    expect(ist.state).toBe('Completed');
    send(h, buildAck(invite, peerGotResponses(h, 487)[0]!));
    expect(ist.state).toBe(h.reliable ? 'Terminated' : 'Confirmed');
    const bye = wireRequest({
      method: 'BYE',
      protocol,
      branch: null,
      callId: 'old@host',
      cseq: 2,
      toTag: 'uas9',
    });
    const byeTxn = send(h, bye)!;
    expect(send(h, bye)).toBeUndefined();
    const bye3 = wireRequest({
      method: 'BYE',
      protocol,
      branch: null,
      callId: 'old@host',
      cseq: 3,
      toTag: 'uas9',
    });
    expect(send(h, bye3)).toBeDefined();
    expect(byeTxn.kind).toBe('nist');
  });

  it('[RFC4475-3.4.1-inv2543-matching] MUST run the RFC 2543 INVITE of RFC 4475 (no branch, no tags) through an INVITE server transaction', () => {
    const invite = vector('inv2543.dat');
    const ist = send(h, invite)!;
    expect(ist.kind).toBe('ist');
    expect(send(h, invite)).toBeUndefined();
    answer(h, ist, 488, 'ss1');
    const response = peerGotResponses(h, 488)[0]!;
    expect(response.callId).toBe('inv2543.1717@ift.client.example.com');
    send(h, buildAck(invite, response));
    expect(ist.state).toBe(h.reliable ? 'Terminated' : 'Confirmed');
  });

  it('[RFC4475-3.2.1-badbranch-matching] MUST NOT let requests whose branch is the bare magic cookie share one transaction', () => {
    const first = vector('badbranch.dat');
    const txn = send(h, first);
    expect(txn?.kind).toBe('nist');
    expect(send(h, first)).toBeUndefined(); // its retransmission still matches (RFC 2543 rules)
    // same "branch" and sent-by, another request: a branch-only match would take it for a retransmission
    const other = wireRequest({
      method: 'OPTIONS',
      protocol,
      branch: 'z9hG4bK',
      host: '192.0.2.1',
      port: null,
    });
    expect(send(h, other)).toBeDefined();
    expect(h.tu.requests()).toHaveLength(2);
  });

  it('[RFC6026-6-ack-2543-accepted] MUST pass an RFC 2543 ACK that matches an INVITE transaction in Accepted to the TU', () => {
    const invite = wireRequest({ method: 'INVITE', protocol, branch: null, callId: 'acc@host' });
    const ist = send(h, invite)!;
    answer(h, ist, 200, 'uas2');
    send(h, buildAck(invite, peerGotResponses(h, 200)[0]!));
    const e = h.tu.events.at(-1);
    expect(e?.type === 'stray-ack' && e.accepted).toBe(ist);
    expect(ist.state).toBe('Accepted');
  });

  it('[RFC3261-17.1.3-match-response] MUST match responses by branch and CSeq method: the CANCEL response is not the INVITE one', () => {
    const inv = h.layer.sendRequest(localRequest('INVITE', protocol), h.toPeer);
    deliver(h);
    peerReply(h, 180);
    deliver(h);
    if (inv.kind !== 'ict') throw new Error('expected an ICT');
    const outcome = h.layer.cancel(inv);
    expect(outcome.kind).toBe('sent');
    deliver(h);
    peerReply(h, 200); // the peer's last request is the CANCEL
    deliver(h);
    const byTxn = h.tu.events.flatMap((e) =>
      e.type === 'response' ? [`${e.txn.method} ${e.response.status}`] : [],
    );
    expect(byTxn).toEqual(['INVITE 180', 'CANCEL 200']);
    expect(inv.state).toBe('Proceeding');
    const unknown = wireRequest({ method: 'OPTIONS', protocol, branch: 'z9hG4bKnobody', host: '192.0.2.1' });
    void h.peer.send(buildResponse(unknown, 200, 'OK', 'x'), {
      protocol,
      address: '192.0.2.1',
      port: 5060,
      connectionId: h.peer.received.at(-1)?.source.connectionId,
    });
    deliver(h);
    expect(h.layer.counters.strayResponses).toBe(1);
    peerReply(h, 487, 'peer1', 'INVITE');
    deliver(h);
    expect(inv.state).not.toBe('Proceeding');
  });

  it('[RFC6026-8.9-stray-response] MUST discard responses that match no client transaction unless the TU is a stateless proxy', () => {
    const stray = buildResponse(
      wireRequest({ method: 'INVITE', protocol, host: '192.0.2.1' }),
      200,
      'OK',
      'x',
    );
    const to = { protocol, address: '192.0.2.1', port: 5060 };
    void h.peer.send(stray, to);
    deliver(h);
    expect(h.tu.events).toHaveLength(0);
    expect(h.layer.counters.strayResponses).toBe(1);
    const sp = createHarness(protocol, { stateless: true });
    void sp.peer.send(stray, to);
    deliver(sp);
    expect(sp.tu.types()).toEqual(['stray-response']);
  });

  it('[RFC3261-8.1.1.7-branch] MUST give each request it originates a unique branch starting with z9hG4bK', () => {
    const branches = new Set<string>();
    for (let i = 0; i < 2000; i++) branches.add(h.layer.newBranch());
    expect(branches.size).toBe(2000);
    for (const b of branches) expect(b.startsWith('z9hG4bK')).toBe(true);
    const txn = h.layer.sendRequest(localRequest('OPTIONS', protocol), h.toPeer);
    deliver(h);
    expect(txn.branch?.startsWith('z9hG4bK')).toBe(true);
    expect(peerGot(h, 'OPTIONS')[0]?.topVia.params.get('branch')).toBe(txn.branch);
    const kept = h.layer.sendRequest(localRequest('OPTIONS', protocol, { branch: 'z9hG4bKmine' }), h.toPeer);
    expect(kept.branch).toBe('z9hG4bKmine');
    expect(() =>
      h.layer.sendRequest(localRequest('OPTIONS', protocol, { branch: 'z9hG4bKmine' }), h.toPeer),
    ).toThrow();
    expect(() => h.layer.sendRequest(localRequest('ACK', protocol), h.toPeer)).toThrow(TypeError);
    peerReply(h, 200);
    deliver(h);
  });

  it('[RFC3261-9.1-cancel] MUST hold a CANCEL back until a provisional response and send it to the INVITE destination', () => {
    const inv = h.layer.sendRequest(
      localRequest('INVITE', protocol, { headers: ['Route: <sip:edge.example.com;lr>'] }),
      h.toPeer,
    );
    if (inv.kind !== 'ict') throw new Error('expected an ICT');
    deliver(h);
    expect(h.layer.cancel(inv).kind).toBe('deferred');
    deliver(h);
    expect(peerGot(h, 'CANCEL')).toHaveLength(0);
    peerReply(h, 180);
    deliver(h);
    const [cancel] = peerGot(h, 'CANCEL');
    const original = peerGot(h, 'INVITE')[0]!;
    expect(cancel?.uri).toBe(original.uri);
    expect(cancel?.vias).toHaveLength(1);
    expect(cancel?.topVia.params.get('branch')).toBe(inv.branch);
    expect(cancel?.cseq).toEqual({ seq: original.cseq.seq, method: 'CANCEL' });
    expect(cancel?.headers.get('to')).toBe(original.headers.get('to'));
    expect(cancel?.headers.get('from')).toBe(original.headers.get('from'));
    expect(cancel?.callId).toBe(original.callId);
    expect(cancel?.headers.values('route')).toEqual(['<sip:edge.example.com;lr>']);
    peerReply(h, 200); // to the CANCEL
    deliver(h);
    peerReply(h, 487, 'peer1', 'INVITE');
    deliver(h);
    expect(inv.state).not.toBe('Proceeding');
    expect(h.layer.cancel(inv).kind).toBe('too-late');
  });

  it('[RFC3261-17-destroy-terminated] MUST forget every transaction once Terminated and leave no timer behind', () => {
    for (let i = 0; i < 20; i++) {
      h.layer.sendRequest(localRequest('OPTIONS', protocol), h.toPeer);
      send(h, wireRequest({ method: 'MESSAGE', protocol }));
    }
    deliver(h);
    expect(h.layer.size).toBe(40);
    h.clock.advance(2 * TIMEOUT); // the client ones time out, the server ones wait for the TU
    expect(h.layer.size).toBe(20);
    h.layer.close();
    expect(h.layer.size).toBe(0);
    expect(h.clock.pending).toBe(0);
  });
});
