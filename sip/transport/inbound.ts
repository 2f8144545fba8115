import type { Clock } from '../clock/clock.ts';
import { serialize } from '../message/serialize.ts';
import { parseMessage } from '../parser/parse-message.ts';
import type { TransportCounters } from './counters.ts';
import { faultResponse } from './fault-response.ts';
import type { DropLog, TransportLogger } from './logging.ts';
import type { TransportHost } from './sip-transport.ts';
import type { Source } from './types.ts';
import { stampReceived } from './via-received.ts';

/** The transport state the inbound steps use (TransportBase provides it). */
export interface InboundContext {
  readonly counters: TransportCounters;
  readonly drops: DropLog;
  readonly clock: Clock;
  readonly logger: TransportLogger;
  readonly host: TransportHost | undefined;
}

/** Where a stateless error response goes: the connection, or the UDP socket. */
export interface Replier {
  replyBytes(data: Buffer, source: Source): void;
}

/**
 * The inbound pipeline below the transaction layer, for one framed message: parse (RFC 3261
 * §18.3 framing rules per transport), stamp received/rport on requests (§18.2.1, RFC 3581),
 * deliver upward. A request the parser refuses with a status is answered statelessly from
 * what could be read of it (§8.2.6); everything else refused is dropped, counted and logged.
 * Nothing thrown by the layer above escapes into the socket's event handler.
 */
export function receiveFrame(
  ctx: InboundContext,
  frame: Buffer,
  source: Source,
  framing: 'datagram' | 'stream',
  replier: Replier,
): void {
  let r: ReturnType<typeof parseMessage>;
  try {
    r = parseMessage(frame, { framing });
  } catch (err) {
    // The parser reports faults as results; an exception is a parser bug. Drop, never crash.
    ctx.logger.error(
      { err: (err as Error)?.stack ?? String(err), remote: source.remoteAddress },
      'parser threw',
    );
    ctx.drops.drop('parser-exception', 'warn', { remote: source.remoteAddress });
    return;
  }
  if (!r.ok) {
    const fault = r.fault;
    ctx.counters.parseFaults[fault.code] = (ctx.counters.parseFaults[fault.code] ?? 0) + 1;
    if (fault.code === 'empty') {
      ctx.drops.drop('keep-alive', 'debug', { remote: source.remoteAddress });
      return;
    }
    const answer = faultResponse(fault, source.remoteAddress, source.remotePort);
    ctx.drops.drop(answer === undefined ? 'parse-fault' : 'parse-fault-answered', 'debug', {
      code: fault.code,
      status: fault.status,
      detail: fault.reason,
      header: fault.header,
      line: fault.line,
      remote: source.remoteAddress,
      port: source.remotePort,
      connectionId: source.connectionId,
    });
    if (answer !== undefined) {
      ctx.counters.errorResponses++;
      replier.replyBytes(serialize(answer), source);
    }
    return;
  }
  const message = r.message;
  if (message.kind === 'request') {
    // The top Via the parser checked is stamped in place and stays the message's parsed view.
    const top = message.topVia;
    if (stampReceived(message.headers, source.remoteAddress, source.remotePort, top))
      message.seed('via-top', top, 'via');
  }
  const host = ctx.host;
  if (host === undefined) {
    ctx.drops.drop('not-started', 'warn', { remote: source.remoteAddress });
    return;
  }
  ctx.counters.messagesIn++;
  try {
    host.receiveMessage({ message, source, receivedAt: ctx.clock.now() });
  } catch (err) {
    ctx.logger.error({ err, connectionId: source.connectionId }, 'receiveMessage threw');
  }
}
