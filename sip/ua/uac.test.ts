import { describe, expect, it } from 'vitest';
import type { SipResponse } from '../message/message.ts';
import {
  createHarness,
  type Harness,
  localRequest,
  peerGot,
  peerReply,
  settle,
} from '../transaction/transaction-harness.ts';
import type { TransportProtocol } from '../transport/types.ts';
import { sendRequest } from './uac.ts';

const T1 = 500;

/** Records whether and how the promise settled, without awaiting it. */
function track(p: Promise<SipResponse>): { final: SipResponse | undefined; rejected: unknown } {
  const out: { final: SipResponse | undefined; rejected: unknown } = {
    final: undefined,
    rejected: undefined,
  };
  p.then(
    (r) => {
      out.final = r;
    },
    (e: unknown) => {
      out.rejected = e;
    },
  );
  return out;
}

async function advance(h: Harness, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    h.clock.advance(Math.min(100, ms - t));
    await settle();
  }
}

async function expectQuiet(h: Harness): Promise<void> {
  await advance(h, 40_000);
  expect(h.layer.size).toBe(0);
  expect(h.clock.pending).toBe(0);
}

const PROTOCOLS: TransportProtocol[] = ['udp', 'tcp'];

describe.each(PROTOCOLS)('uac.sendRequest over %s', (protocol) => {
  it('[RFC3261-8.1.3-uac-final] MUST resolve with the final response and report each provisional', async () => {
    const h = createHarness(protocol);
    const provisionals: number[] = [];
    const r = track(
      sendRequest(h.layer, localRequest('INVITE', protocol), h.toPeer, {
        onProvisional: (p) => provisionals.push(p.status),
      }),
    );
    await advance(h, 100);
    peerReply(h, 100);
    peerReply(h, 180);
    await advance(h, 100);
    expect(provisionals).toEqual([100, 180]);
    expect(r.final).toBeUndefined();
    peerReply(h, 486);
    await advance(h, 100);
    expect(r.final?.status).toBe(486);
    expect(r.final?.to.params.value('tag')).toBe('peer1');
    // The INVITE client transaction ACKs the non-2xx itself (RFC 3261 §17.1.1.3).
    expect(peerGot(h, 'ACK')).toHaveLength(1);
    await expectQuiet(h);
  });

  it('[RFC3261-8.1.3-uac-final] MUST resolve once with the first 2xx (later 2xx are not reported as finals)', async () => {
    const h = createHarness(protocol);
    const provisionals: number[] = [];
    const r = track(
      sendRequest(h.layer, localRequest('INVITE', protocol), h.toPeer, {
        onProvisional: (p) => provisionals.push(p.status),
      }),
    );
    await advance(h, 100);
    peerReply(h, 200, 'fork-a');
    peerReply(h, 200, 'fork-b');
    await advance(h, 100);
    expect(r.final?.status).toBe(200);
    expect(r.final?.to.params.value('tag')).toBe('fork-a');
    expect(provisionals).toEqual([]);
    await expectQuiet(h);
  });

  it('[RFC3261-8.1.3.1-uac-timeout] MUST resolve with 408 when the transaction times out', async () => {
    const h = createHarness(protocol);
    const r = track(sendRequest(h.layer, localRequest('OPTIONS', protocol), h.toPeer));
    await advance(h, 64 * T1 - 100);
    expect(r.final).toBeUndefined();
    await advance(h, 200);
    expect(r.final?.status).toBe(408);
    expect(r.final?.reason).toBe('Request Timeout');
    expect(r.final?.cseq.method).toBe('OPTIONS');
    expect(r.rejected).toBeUndefined();
    await expectQuiet(h);
  });

  it('[RFC3261-8.1.3.1-uac-transport-error] MUST resolve with 503 when the transport fails', async () => {
    const h = createHarness(protocol);
    h.local.failNext(1, protocol === 'udp' ? 'unreachable' : 'connection-closed');
    const r = track(sendRequest(h.layer, localRequest('INVITE', protocol), h.toPeer));
    await advance(h, 100);
    expect(r.final?.status).toBe(503);
    expect(r.final?.reason).toBe('Service Unavailable');
    expect(r.rejected).toBeUndefined();
    await expectQuiet(h);
  });

  it('[RFC3261-8.1.3-uac-final] MUST reject (a programming mistake) when asked to send an ACK', async () => {
    const h = createHarness(protocol);
    await expect(sendRequest(h.layer, localRequest('ACK', protocol), h.toPeer)).rejects.toThrow(TypeError);
    expect(h.layer.size).toBe(0);
  });
});
