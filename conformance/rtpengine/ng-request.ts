/**
 * One NG control request to rtpengine over UDP (cookie + bencoded dictionary), for probes and
 * smoke tests. The product's NG client, with retries and typed commands, is eims-agw/ng/ng-client.ts.
 */
import { randomBytes } from 'node:crypto';
import { asDict, type BValue, bdecode, bencode } from '../harness/bencode.ts';
import { udpExchange } from '../harness/probes.ts';

export type NgDict = { readonly [key: string]: BValue };

/** Sends `command` and returns the decoded reply dictionary, or undefined on timeout/garbage. */
export async function ngRequest(
  host: string,
  port: number,
  command: NgDict,
  timeoutMs = 1_000,
): Promise<NgDict | undefined> {
  const cookie = randomBytes(6).toString('hex');
  const request = bencode(command, `${cookie} `);
  const reply = await udpExchange(host, port, request, timeoutMs, (data) =>
    data.subarray(0, cookie.length + 1).equals(Buffer.from(`${cookie} `)),
  );
  if (reply === undefined) return undefined;
  try {
    return asDict(bdecode(reply.data.subarray(cookie.length + 1)));
  } catch {
    return undefined;
  }
}

/** Readiness probe: `ping` answered with `pong`. */
export async function ngPing(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  const reply = await ngRequest(host, port, { command: 'ping' }, timeoutMs);
  return reply?.result === 'pong';
}
