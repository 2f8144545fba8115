/**
 * Small network exchanges used as readiness probes and in smoke tests. Each resolves to
 * `undefined`/`false` on timeout or connection error instead of throwing, so a probe can be
 * retried until the peer is up.
 */
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';

/** True when a TCP connection to host:port is accepted within the timeout. */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface UdpReply {
  readonly data: Buffer;
  /** The local port the request was sent from (what the peer sees as our source). */
  readonly localPort: number;
}

/**
 * Sends one datagram from a fresh loopback socket and returns the first reply `accept` takes
 * (default: any), or undefined after the timeout.
 */
export function udpExchange(
  host: string,
  port: number,
  request: Buffer | ((localPort: number) => Buffer),
  timeoutMs: number,
  accept: (reply: Buffer) => boolean = () => true,
): Promise<UdpReply | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    let localPort = 0;
    const done = (reply: UdpReply | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('message', (data) => {
      if (accept(data)) done({ data, localPort });
    });
    socket.bind({ address: '127.0.0.1', port: 0 }, () => {
      localPort = socket.address().port;
      const payload = typeof request === 'function' ? request(localPort) : request;
      socket.send(payload, port, host, (err) => {
        if (err) done(undefined);
      });
    });
  });
}

/**
 * A TCP conversation: connects, sends each request in turn, and after each one reads until
 * `until(received)` holds for what arrived since that request. Returns everything received per
 * step, or undefined on timeout, error or early close.
 */
export function tcpExchange(
  host: string,
  port: number,
  steps: readonly TcpStep[],
  timeoutMs: number,
): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host, port });
    const replies: string[] = [];
    let index = 0;
    let buffer = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok ? replies : undefined);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    const sendCurrent = (): void => {
      const step = steps[index];
      if (step === undefined) {
        done(true);
        return;
      }
      buffer = '';
      socket.write(typeof step.send === 'function' ? step.send(replies) : step.send);
    };
    socket.once('connect', sendCurrent);
    socket.once('error', () => done(false));
    socket.once('close', () => done(index >= steps.length));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const step = steps[index];
      if (step === undefined || !step.until(buffer)) return;
      replies.push(buffer);
      index++;
      sendCurrent();
    });
  });
}

export interface TcpStep {
  /** What to send; a function sees the replies to the earlier steps (e.g. a stream id). */
  readonly send: string | ((earlier: readonly string[]) => string);
  /** True once enough of the reply has arrived. */
  readonly until: (received: string) => boolean;
}
