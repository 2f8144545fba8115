import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/message.ts';
import type { TransportProtocol } from '../transport/types.ts';
import { forwardCopy } from './forward-request.ts';
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

/** Header lines of a serialised message (continuation lines kept with their field). */
function headerLines(bytes: Buffer): string[] {
  const head = bytes.toString('latin1').split('\r\n\r\n')[0]!;
  const out: string[] = [];
  for (const line of head.split('\r\n').slice(1)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length > 0)
      out[out.length - 1] += `\r\n${line}`;
    else out.push(line);
  }
  return out;
}

function bytesOf(
  net: ProxyNet,
  ep: 'uac' | 'proxy' | 'uas',
  match: (m: SipRequest | SipResponse) => boolean,
) {
  const endpoint =
    ep === 'uac' ? net.uac.endpoint : ep === 'proxy' ? net.proxy.endpoint : net.uas[0]!.endpoint;
  const rec = endpoint.sent.find((s) => match(s.message));
  if (rec === undefined) throw new Error(`${ep} sent no such message`);
  return rec.bytes;
}

/** Nothing left behind: every layer empty, no timer pending (RFC timers and Timer C included). */
async function expectQuiet(net: ProxyNet): Promise<void> {
  await run(net, QUIET, 1000);
  for (const layer of net.layers()) expect(layer.size).toBe(0);
  expect(net.clock.pending).toBe(0);
  expect(net.network.inFlight).toBe(0);
}

const PROTOCOLS: TransportProtocol[] = ['udp', 'tcp'];

describe.each(PROTOCOLS)('stateful forwarding over %s', (protocol) => {
  it('[RFC3261-16.7-via-removal] MUST relay the 200 to a non-INVITE upstream with the proxy Via removed', async () => {
    const net = createProxyNet(protocol);
    net.uas[0]!.script = (txn, _req, uas) => uas.answer(txn, 200);
    const request = uacRequest(net, 'MESSAGE', ['Subject: hi']);
    net.uac.layer.sendRequest(request, net.toProxy);
    await run(net, 1000);

    expect(statuses(net.uac)).toEqual(['200 MESSAGE']);
    const ok = net.uac.tu.responses()[0]!;
    expect(ok.vias.map((v) => v.host)).toEqual(['192.0.2.1']);
    expect(ok.to.params.value('tag')).toBe('uas0');
    // What the proxy relayed is what the UAS sent, less the proxy's Via line.
    const fromUas = headerLines(bytesOf(net, 'uas', isResponse(200)));
    const relayed = headerLines(bytesOf(net, 'proxy', isResponse(200)));
    expect(fromUas[0]).toMatch(/^Via: SIP\/2.0\/\w+ 192.0.2.10:5060;branch=z9hG4bK/);
    expect(relayed).toEqual(fromUas.slice(1));
    await expectQuiet(net);
  });

  it('[RFC3261-16.6-max-forwards] MUST forward with Max-Forwards decremented and the proxy Via on top', async () => {
    const net = createProxyNet(protocol);
    net.uas[0]!.script = (txn, _req, uas) => uas.answer(txn, 200);
    net.uac.layer.sendRequest(uacRequest(net, 'OPTIONS'), net.toProxy);
    await run(net, 1000);
    const got = net.uas[0]!.tu.requests()[0]!.message as SipRequest;
    expect(got.maxForwards).toBe(69);
    expect(got.vias.map((v) => v.host)).toEqual(['192.0.2.10', '192.0.2.1']);
    await expectQuiet(net);
  });

  it('[RFC3261-16.6-copy] MUST forward header fields it does not touch byte-identical', async () => {
    const net = createProxyNet(protocol);
    net.uas[0]!.script = (txn, _req, uas) => uas.answer(txn, 202);
    const request = uacRequest(net, 'MESSAGE', [
      'Subject:   spaced   out  ',
      'X-Folded: first,',
      ' second',
      'k: path ,  gruu',
      'Route: <sip:proxy.example.com;lr>',
      'P-Preferred-Identity: "Alice" <sip:alice@example.com>',
    ]);
    net.uac.layer.sendRequest(request, net.toProxy);
    await run(net, 1000);
    const sentByUac = headerLines(bytesOf(net, 'uac', isRequest('MESSAGE')));
    const forwarded = headerLines(bytesOf(net, 'proxy', isRequest('MESSAGE')));
    expect(forwarded[0]).toMatch(/^Via: SIP\/2.0\/\w+ 192.0.2.10:5060;branch=z9hG4bK\S+$/);
    expect(forwarded.slice(1)).toEqual(
      sentByUac.map((l) => (l.startsWith('Max-Forwards') ? 'Max-Forwards: 69' : l)),
    );
    expect(statuses(net.uac)).toEqual(['202 MESSAGE']);
    await expectQuiet(net);
  });

  it('[RFC3261-16.7-provisional-relay] MUST absorb the 100 of the next hop and relay 180 and 200 to an INVITE', async () => {
    const net = createProxyNet(protocol);
    net.uas[0]!.script = (txn, req, uas) => {
      const trying = uas.answer(txn, 100);
      expect(trying.status).toBe(100);
      net.clock.setTimer(500, () => uas.answer(txn, 180));
      net.clock.setTimer(1500, () => uas.answer(txn, 200));
      expect(req.method).toBe('INVITE');
    };
    const invite = uacRequest(net, 'INVITE');
    net.uac.layer.sendRequest(invite, net.toProxy);
    await run(net, 2000);

    expect(statuses(net.uac)).toEqual(['100 INVITE', '180 INVITE', '200 INVITE']);
    // The 100 is the proxy's own (its server transaction's, §16.2: no To tag, 200 ms after
    // the INVITE); the 100 of the UAS went no further than the proxy.
    const trying = net.uac.tu.responses()[0]!;
    expect(trying.to.params.has('tag')).toBe(false);
    expect(sent(net.proxy.endpoint, isResponse(100))).toHaveLength(1);
    expect(net.uas[0]!.endpoint.sent.filter((s) => isResponse(100)(s.message))).toHaveLength(1);
    const [, ringing, ok] = net.uac.tu.responses();
    expect(ringing!.to.params.value('tag')).toBe('uas0');
    expect(ok!.vias).toHaveLength(1);
    expect(ok!.headers.get('contact')).toBe('<sip:bob@192.0.2.20:5060>');
    ackFor2xx(net, invite, ok!);
    await expectQuiet(net);
  });

  it('[RFC3261-16.7-2xx-ack-end-to-end] MUST leave the ACK for a 2xx to the UAC: no transaction of the proxy sends or absorbs it', async () => {
    const net = createProxyNet(protocol);
    net.uas[0]!.script = (txn, _req, uas) => uas.answer(txn, 200);
    const invite = uacRequest(net, 'INVITE');
    net.uac.tu.onResponse = (_txn, r) => {
      if (r.status === 200) ackFor2xx(net, invite, r);
    };
    net.uac.layer.sendRequest(invite, net.toProxy);
    await run(net, 1000);

    const forwardedInvite = sent(net.proxy.endpoint, isRequest('INVITE'))[0] as SipRequest;
    const acks = sent(net.proxy.endpoint, isRequest('ACK')) as SipRequest[];
    // The only ACK the proxy sent is the UAC's, forwarded by the proxy core outside any
    // transaction (new branch); the proxy's INVITE client transaction sent none for the 2xx.
    expect(acks).toHaveLength(1);
    expect(acks[0]!.topVia.params.get('branch')).not.toBe(forwardedInvite.topVia.params.get('branch'));
    expect(acks[0]!.vias.map((v) => v.host)).toEqual(['192.0.2.10', '192.0.2.1']);
    expect(net.proxy.core.acksForwarded).toHaveLength(1);
    // At the UAS the ACK reached the core, not a transaction (RFC 6026 §7.1).
    const strays = net.uas[0]!.tu.events.filter((e) => e.type === 'stray-ack');
    expect(strays).toHaveLength(1);
    await expectQuiet(net);
  });

  it('[RFC3261-16.7-response-hook] the onResponse hook MUST be able to edit a relayed response and absorb one; onDone is called once', async () => {
    const net = createProxyNet(protocol);
    const seen: number[] = [];
    const done: number[] = [];
    net.proxy.core.options = {
      ...net.proxy.core.options,
      onResponse(r) {
        seen.push(r.status);
        if (r.status === 183) return false;
        if (r.status === 200) r.headers.append('P-Edited', 'yes');
        return true;
      },
      onDone: (final) => done.push(final.status),
    };
    net.uas[0]!.script = (txn, _req, uas) => {
      uas.answer(txn, 183);
      uas.answer(txn, 180);
      const ok = uas.answer(txn, 200);
      // The UAS core retransmits its 2xx (RFC 3261 §13.3.1.4): relayed again, onDone not again.
      net.clock.setTimer(500, () => txn.respond(ok));
    };
    const invite = uacRequest(net, 'INVITE');
    net.uac.layer.sendRequest(invite, net.toProxy);
    await run(net, 2000);

    expect(seen).toEqual([183, 180, 200, 200]);
    expect(statuses(net.uac).filter((s) => s !== '100 INVITE')).toEqual([
      '180 INVITE',
      '200 INVITE',
      '200 INVITE',
    ]);
    for (const ok of net.uac.tu.responses().filter((r) => r.status === 200))
      expect(ok.headers.get('p-edited')).toBe('yes');
    expect(done).toEqual([200]);
    ackFor2xx(net, invite, net.uac.tu.responses().find((r) => r.status === 200)!);
    await expectQuiet(net);
  });

  it('[RFC3261-16.7-response-hook] a non-2xx final absorbed by onResponse MUST leave the response context; with none left the proxy answers 408', async () => {
    const net = createProxyNet(protocol);
    const done: number[] = [];
    net.proxy.core.options = {
      ...net.proxy.core.options,
      onResponse: (r) => r.status !== 404,
      onDone: (final) => done.push(final.status),
    };
    net.uas[0]!.script = (txn, _req, uas) => uas.answer(txn, 404);
    net.uac.layer.sendRequest(uacRequest(net, 'MESSAGE'), net.toProxy);
    await run(net, 1000);
    expect(statuses(net.uac)).toEqual(['408 MESSAGE']);
    expect(done).toEqual([408]);
    await expectQuiet(net);
  });

  it('[RFC3261-16.6-target-set] a target added from onResponse MUST be forwarded to, and its answer relayed', async () => {
    const net = createProxyNet(protocol, 2);
    net.proxy.core.targets = [net.uas[0]!.destination];
    const retry = net.uas[1]!;
    net.proxy.core.options = {
      ...net.proxy.core.options,
      onResponse(r) {
        if (r.status !== 480) return true;
        // A retry elsewhere (as after a 430 on a dead flow): absorb the 480, add a target.
        const ctx = net.proxy.core.created[0]!;
        const via = `SIP/2.0/${protocol.toUpperCase()} 192.0.2.10:5060`;
        ctx.addTarget({
          request: forwardCopy(ctx.server.request, via, net.proxy.layer.newBranch()),
          destination: retry.destination,
        });
        return false;
      },
    };
    net.uas[0]!.script = (txn, _req, uas) => uas.answer(txn, 480);
    retry.script = (txn, _req, uas) => uas.answer(txn, 200);
    net.uac.layer.sendRequest(uacRequest(net, 'MESSAGE'), net.toProxy);
    await run(net, 1000);
    expect(statuses(net.uac)).toEqual(['200 MESSAGE']);
    expect(net.uac.tu.responses()[0]!.to.params.value('tag')).toBe('uas1');
    await expectQuiet(net);
  });
});
