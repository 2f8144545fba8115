import { describe, expect, it } from 'vitest';
import { reasonPhrase } from '../error/sip-error.ts';
import type { SipResponse } from '../message/message.ts';
import { buildResponse } from '../transaction/index.ts';
import type { TransportProtocol } from '../transport/types.ts';
import {
  ackFor2xx,
  createProxyNet,
  isRequest,
  isResponse,
  type ProxyNet,
  QUIET,
  run,
  sent,
  statuses,
  uacRequest,
} from './proxy-harness.ts';

async function expectQuiet(net: ProxyNet): Promise<void> {
  await run(net, QUIET, 1000);
  for (const layer of net.layers()) expect(layer.size).toBe(0);
  expect(net.clock.pending).toBe(0);
}

/** CANCELs each UAS received. */
function cancelsAt(net: ProxyNet): number[] {
  return net.uas.map((u) => u.tu.requests().filter((rm) => isRequest('CANCEL')(rm.message)).length);
}

const finals = (net: ProxyNet): SipResponse[] => net.uac.tu.responses().filter((r) => r.status >= 200);

const PROTOCOLS: TransportProtocol[] = ['udp', 'tcp'];

describe.each(PROTOCOLS)('forking over %s', (protocol) => {
  it('[RFC3261-16.7-fork-2xx] MUST relay the first 2xx to an INVITE at once and CANCEL the other pending branch', async () => {
    const net = createProxyNet(protocol, 2);
    const [a, b] = net.uas as [(typeof net.uas)[0], (typeof net.uas)[0]];
    a.script = (txn, _req, u) => {
      u.answer(txn, 180);
      net.clock.setTimer(1000, () => u.answer(txn, 200));
    };
    b.script = (txn, _req, u) => u.answer(txn, 180);
    const invite = uacRequest(net, 'INVITE');
    net.uac.tu.onResponse = (_txn, r) => {
      if (r.status === 200) ackFor2xx(net, invite, r);
    };
    net.uac.layer.sendRequest(invite, net.toProxy);
    await run(net, 2000);

    expect(statuses(net.uac)).toEqual(['180 INVITE', '180 INVITE', '200 INVITE']);
    expect(finals(net)[0]!.to.params.value('tag')).toBe('uas0');
    expect(cancelsAt(net)).toEqual([0, 1]);
    // The 487 of the cancelled branch goes no further than the proxy.
    expect(sent(b.endpoint, isResponse(487))).toHaveLength(1);
    expect(sent(net.proxy.endpoint, isResponse(487))).toHaveLength(0);
    expect(b.tu.events.some((e) => e.type === 'stray-ack')).toBe(false);
    expect(a.tu.events.filter((e) => e.type === 'stray-ack')).toHaveLength(1);
    await expectQuiet(net);
  });

  it('[RFC3261-16.7-fork-2xx] MUST relay every 2xx of a forked INVITE (each fork is ACKed by the UAC)', async () => {
    const net = createProxyNet(protocol, 2);
    for (const u of net.uas) u.script = (txn, _req, uas) => uas.answer(txn, 200);
    net.uas[1]!.endpoint.delayNext(300, 1, isResponse(200));
    const invite = uacRequest(net, 'INVITE');
    net.uac.tu.onResponse = (_txn, r) => {
      if (r.status === 200) ackFor2xx(net, invite, r);
    };
    net.uac.layer.sendRequest(invite, net.toProxy);
    await run(net, 1000);
    expect(finals(net).map((r) => `${r.status} ${r.to.params.value('tag')}`)).toEqual([
      '200 uas0',
      '200 uas1',
    ]);
    for (const u of net.uas) expect(u.tu.events.filter((e) => e.type === 'stray-ack')).toHaveLength(1);
    await expectQuiet(net);
  });

  it('[RFC3261-16.7-fork-2xx] MUST send only the first final response upstream for a non-INVITE', async () => {
    const net = createProxyNet(protocol, 2);
    for (const u of net.uas) u.script = (txn, _req, uas) => uas.answer(txn, 200);
    net.uas[1]!.endpoint.delayNext(300, 1, isResponse(200));
    const done: string[] = [];
    net.proxy.core.options = {
      ...net.proxy.core.options,
      onDone: (r) => done.push(r.to.params.value('tag') ?? ''),
    };
    net.uac.layer.sendRequest(uacRequest(net, 'MESSAGE'), net.toProxy);
    await run(net, 1000);
    expect(statuses(net.uac)).toEqual(['200 MESSAGE']);
    expect(sent(net.proxy.endpoint, isResponse(200))).toHaveLength(1);
    expect(done).toEqual(['uas0']);
    await expectQuiet(net);
  });

  it('[RFC3261-16.7-6xx-cancel] a 6xx MUST cancel the other pending INVITE branches and be the response sent upstream', async () => {
    const net = createProxyNet(protocol, 2);
    net.uas[0]!.script = (txn, _req, u) => {
      u.answer(txn, 180);
      net.clock.setTimer(1000, () => u.answer(txn, 603));
    };
    net.uas[1]!.script = (txn, _req, u) => u.answer(txn, 180);
    net.uac.layer.sendRequest(uacRequest(net, 'INVITE'), net.toProxy);
    await run(net, 2000);
    expect(cancelsAt(net)).toEqual([0, 1]);
    expect(finals(net).map((r) => r.status)).toEqual([603]);
    expect(sent(net.proxy.endpoint, isResponse(487))).toHaveLength(0);
    await expectQuiet(net);
  });

  it('[RFC3261-16.10-cancel] MUST CANCEL every pending branch on a CANCEL from upstream and relay the 487', async () => {
    const net = createProxyNet(protocol, 2);
    for (const u of net.uas) u.script = (txn, _req, uas) => uas.answer(txn, 180);
    const ict = net.uac.layer.sendRequest(uacRequest(net, 'INVITE'), net.toProxy);
    await run(net, 500);
    expect(ict.kind === 'ict' && net.uac.layer.cancel(ict, { reason: 'SIP;cause=487' }).kind).toBe('sent');
    await run(net, 1000);
    expect(statuses(net.uac)).toEqual(['180 INVITE', '180 INVITE', '200 CANCEL', '487 INVITE']);
    expect(cancelsAt(net)).toEqual([1, 1]);
    // §16.10: no new branch once cancelled.
    const ctx = net.proxy.core.created[0]!;
    const again = { request: ctx.branches[0]!.target.request, destination: net.uas[0]!.destination };
    expect(() => ctx.addTarget(again)).toThrow(/cancelled/);
    // The Reason of the upstream CANCEL is carried downstream (RFC 3326).
    for (const u of net.uas) {
      const cancel = u.tu.requests().find((rm) => isRequest('CANCEL')(rm.message))!.message;
      expect(cancel.headers.get('reason')).toBe('SIP;cause=487');
    }
    await expectQuiet(net);
  });

  it('[RFC3261-16.10-cancel] MUST hold the CANCEL of a branch until that branch has a provisional response (§9.1)', async () => {
    const net = createProxyNet(protocol, 1);
    const uas = net.uas[0]!;
    // The UAS's 100s (its server transaction's, after 200 ms and on each INVITE retransmission)
    // are delayed by 1 s on the wire: the first reaches the proxy at 1200 ms.
    uas.endpoint.inject({ action: 'delay', delayMs: 1000, match: isResponse(100) });
    const ict = net.uac.layer.sendRequest(uacRequest(net, 'INVITE'), net.toProxy);
    await run(net, 300, 10); // the proxy's own 100 reaches the UAC at 200 ms
    expect(ict.kind === 'ict' && net.uac.layer.cancel(ict).kind).toBe('sent');
    await run(net, 600, 10);
    expect(net.proxy.core.created[0]!.branches[0]!.cancelled).toBe(true);
    expect(sent(net.proxy.endpoint, isRequest('CANCEL'))).toHaveLength(0);
    await run(net, 1000, 10);
    const cancel = net.proxy.endpoint.sent.filter((s) => isRequest('CANCEL')(s.message));
    expect(cancel).toHaveLength(1);
    expect(cancel[0]!.at).toBeGreaterThanOrEqual(1200);
    expect(statuses(net.uac)).toEqual(['100 INVITE', '200 CANCEL', '487 INVITE']);
    await expectQuiet(net);
  });
});

/** Each UAS answers the MESSAGE with one status; 401/407 carry a challenge naming the UAS. */
function answerWith(net: ProxyNet, codes: number[]): void {
  codes.forEach((code, i) => {
    net.uas[i]!.script = (txn, req, u) => {
      const r = buildResponse(req, code, reasonPhrase(code), u.tag);
      if (code === 401) r.headers.append('WWW-Authenticate', `Digest realm="r${i}", nonce="n${i}"`);
      if (code === 407) r.headers.append('Proxy-Authenticate', `Digest realm="r${i}", nonce="n${i}"`);
      // Answers arrive in the order of the table.
      net.clock.setTimer(100 * (i + 1), () => txn.respond(r));
    };
  });
}

describe('best response (RFC 3261 §16.7 step 6) across forked branches', () => {
  it.each([
    { codes: [486, 603, 404], best: 603, why: 'any 6xx wins' },
    { codes: [503, 404], best: 404, why: 'the lowest class wins' },
    { codes: [302, 401], best: 302, why: '3xx is a lower class than a preferred 4xx' },
    { codes: [404, 407, 480], best: 407, why: '407 is preferred within 4xx' },
    { codes: [480, 484], best: 484, why: '484 is preferred within 4xx' },
    { codes: [503, 504], best: 504, why: 'a 503 (sent as 500) ranks after other 5xx' },
    { codes: [503, 503], best: 500, why: 'a chosen 503 goes upstream as 500' },
  ])('[RFC3261-16.7-best-response] $codes → $best ($why)', async ({ codes, best }) => {
    const net = createProxyNet('udp', codes.length);
    answerWith(net, codes);
    net.uac.layer.sendRequest(uacRequest(net, 'MESSAGE'), net.toProxy);
    await run(net, 1000);
    expect(statuses(net.uac)).toEqual([`${best} MESSAGE`]);
    await expectQuiet(net);
  });

  it('[RFC3261-16.7-best-response] MUST wait for every branch before choosing', async () => {
    const net = createProxyNet('udp', 2);
    net.uas[0]!.script = (txn, _req, u) => u.answer(txn, 404);
    net.uas[1]!.script = (txn, _req, u) => net.clock.setTimer(5000, () => u.answer(txn, 302));
    net.uac.layer.sendRequest(uacRequest(net, 'MESSAGE'), net.toProxy);
    await run(net, 4000);
    expect(statuses(net.uac)).toEqual([]);
    await run(net, 2000);
    expect(statuses(net.uac)).toEqual(['302 MESSAGE']);
    await expectQuiet(net);
  });

  it('[RFC3261-16.7-auth-collect] MUST add the challenges of every other 401/407 to the chosen one', async () => {
    const net = createProxyNet('udp', 3);
    answerWith(net, [480, 401, 407]);
    net.uac.layer.sendRequest(uacRequest(net, 'MESSAGE'), net.toProxy);
    await run(net, 1000);
    const [r] = finals(net);
    expect(r!.status).toBe(401);
    expect(r!.headers.values('www-authenticate')).toEqual(['Digest realm="r1", nonce="n1"']);
    expect(r!.headers.values('proxy-authenticate')).toEqual(['Digest realm="r2", nonce="n2"']);
    await expectQuiet(net);
  });
});
