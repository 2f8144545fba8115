import { describe, expect, it } from 'vitest';
import { FakeClock, type TimerHandle } from '../clock/clock.ts';
import type { SipMessage, SipResponse } from '../message/message.ts';
import { loopbackPair } from '../transport/loopback.ts';
import type { Destination, TransportProtocol } from '../transport/types.ts';
import { buildResponse } from './build-response.ts';
import { RecordingUser, wireRequest } from './transaction-harness.ts';
import { TransactionLayer } from './transaction-layer.ts';

const T1 = 500;
const T2 = 4000;

function isRequest(method: string) {
  return (m: SipMessage) => m.kind === 'request' && m.method === method;
}

function isResponse(status: number, method: string) {
  return (m: SipMessage) => m.kind === 'response' && m.status === status && m.cseq.method === method;
}

/**
 * A UAC core and a UAS core, each on its own transaction layer, over a loopback network:
 * INVITE / 100 / 180 / 200 / ACK / BYE / 200. The UAS core retransmits its 2xx until the ACK
 * (RFC 3261 §13.3.1.4) through the INVITE server transaction in Accepted (RFC 6026 §7.1); the
 * UAC core ACKs every 2xx it is given (§13.2.2.4).
 */
function call(protocol: TransportProtocol, faults: (n: ReturnType<typeof loopbackPair>) => void) {
  const clock = new FakeClock();
  const net = loopbackPair({ clock });
  faults(net);
  const uacTu = new RecordingUser();
  const uasTu = new RecordingUser();
  const uac = new TransactionLayer({ transport: net.a, user: uacTu, clock });
  const uas = new TransactionLayer({ transport: net.b, user: uasTu, clock });
  net.a.delegate = uac;
  net.b.delegate = uas;
  const toUas: Destination = { protocol, address: net.b.address, port: net.b.port };

  // UAS core: 180 after 500 ms (so the IST sends 100 first), 200 a second later, retransmitted
  // at T1, 2*T1 ... T2 until the ACK arrives.
  let retransmit: TimerHandle | undefined;
  let acks = 0;
  uasTu.onRequest = (txn, rm) => {
    if (rm.message.kind !== 'request') return;
    const req = rm.message;
    if (req.method === 'BYE') {
      txn.respond(buildResponse(req, 200, 'OK'));
      return;
    }
    clock.setTimer(500, () => txn.respond(buildResponse(req, 180, 'Ringing', 'uas-tag')));
    clock.setTimer(1500, () => {
      const ok = buildResponse(req, 200, 'OK', 'uas-tag');
      let interval = T1;
      const again = (): void => {
        if (acks > 0 || txn.state !== 'Accepted') return;
        txn.respond(ok);
        interval = Math.min(2 * interval, T2);
        retransmit = clock.setTimer(interval, again);
      };
      txn.respond(ok);
      retransmit = clock.setTimer(interval, again);
    });
  };
  uasTu.receiveStrayAck = (rm) => {
    acks++;
    if (retransmit !== undefined) clock.clearTimer(retransmit);
    uasTu.events.push({ type: 'stray-ack', rm, accepted: undefined });
  };

  // UAC core: ACK each 2xx to the INVITE outside any transaction, then BYE once.
  let byeSent = false;
  const callId = 'exchange@192.0.2.1';
  uacTu.onResponse = (txn, response: SipResponse) => {
    if (txn.request.method !== 'INVITE' || response.status < 200 || response.status >= 300) return;
    const toTag = response.to.params.value('tag');
    const ack = wireRequest({
      method: 'ACK',
      protocol,
      host: '192.0.2.1',
      branch: uac.newBranch(),
      callId,
      toTag,
    });
    void uac.sendStateless(ack, toUas);
    if (byeSent) return;
    byeSent = true;
    uac.sendRequest(
      wireRequest({ method: 'BYE', protocol, host: '192.0.2.1', branch: null, callId, cseq: 2, toTag }),
      toUas,
    );
  };

  uac.sendRequest(
    wireRequest({ method: 'INVITE', protocol, host: '192.0.2.1', branch: null, callId }),
    toUas,
  );
  for (let t = 0; t < 40_000; t += 100) clock.advance(100);
  return { clock, net, uac, uas, uacTu, uasTu, acks: () => acks };
}

describe('an INVITE/BYE exchange between two transaction layers', () => {
  it('[RFC3261-17-exchange-lossy] MUST complete INVITE/100/180/200/ACK/BYE/200 over UDP despite lost messages', () => {
    const r = call('udp', ({ a, b }) => {
      a.dropNext(1, isRequest('INVITE'));
      b.dropNext(1, isResponse(200, 'INVITE'));
      a.dropNext(1, isRequest('ACK'));
      a.dropNext(1, isRequest('BYE'));
      b.dropNext(1, isResponse(200, 'BYE'));
    });
    const statuses = r.uacTu.events.flatMap((e) =>
      e.type === 'response' ? [`${e.response.status} ${e.response.cseq.method}`] : [],
    );
    expect(statuses.slice(0, 3)).toEqual(['100 INVITE', '180 INVITE', '200 INVITE']);
    expect(statuses).toContain('200 BYE');
    expect(r.uasTu.requests().map((rm) => (rm.message.kind === 'request' ? rm.message.method : ''))).toEqual([
      'INVITE',
      'BYE',
    ]);
    expect(r.acks()).toBeGreaterThanOrEqual(1);
    expect([...r.net.a.sent, ...r.net.b.sent].filter((s) => s.fate === 'dropped')).toHaveLength(5);
    expect(r.uacTu.types()).not.toContain('timeout');
    expect(r.uasTu.types()).not.toContain('timeout');
    expect(r.uac.size).toBe(0);
    expect(r.uas.size).toBe(0);
    expect(r.clock.pending).toBe(0);
  });

  it('[RFC3261-17-exchange-lossy] MUST complete the same exchange over TCP with delayed and duplicated messages', () => {
    const r = call('tcp', ({ a, b }) => {
      a.delayNext(300, 1, isRequest('INVITE'));
      b.duplicateNext(1, isResponse(180, 'INVITE'));
      b.delayNext(700, 1, isResponse(200, 'INVITE'));
    });
    const statuses = r.uacTu.events.flatMap((e) =>
      e.type === 'response' ? [`${e.response.status} ${e.response.cseq.method}`] : [],
    );
    // The 200 is delayed past the UAS core's first 2xx retransmission (T1): the ICT in Accepted
    // hands both to the UAC core, which ACKs both (RFC 6026 §7.2).
    expect(statuses).toEqual([
      '100 INVITE',
      '180 INVITE',
      '180 INVITE',
      '200 INVITE',
      '200 BYE',
      '200 INVITE',
    ]);
    expect(r.acks()).toBe(2);
    expect(r.net.network.openConnections()).toHaveLength(1);
    expect(r.uac.size).toBe(0);
    expect(r.uas.size).toBe(0);
    expect(r.clock.pending).toBe(0);
  });
});
