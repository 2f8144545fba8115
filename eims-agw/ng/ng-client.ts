/**
 * NG control client for one rtpengine over UDP. Each request gets a fresh random cookie;
 * replies are matched by cookie. An unanswered request is retransmitted with the same cookie
 * and bytes (rtpengine caches replies by cookie, so a retransmitted offer is processed once),
 * `retries` times, `timeoutMs` apart, then fails with RtpengineTimeout. The socket is
 * connected to rtpengine, so an ICMP port-unreachable fails the pending requests at once with
 * RtpengineUnavailable('unreachable') instead of waiting for the timeout.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { type Clock, systemClock, type TimerHandle } from '../../sip/clock/clock.ts';
import { NgProtocolError, RtpengineRejected, RtpengineTimeout, RtpengineUnavailable } from '../errors.ts';
import { asDict, BencodeError, bdecode, bencode } from './bencode.ts';
import {
  type AnswerRequest,
  answerDict,
  type DeleteReply,
  type DeleteRequest,
  deleteDict,
  type ListReply,
  listDict,
  type NgCommand,
  type NgDict,
  type NgRequestDict,
  type OfferRequest,
  offerDict,
  parseListReply,
  parseQueryReply,
  parseSdpReply,
  type QueryReply,
  type QueryRequest,
  queryDict,
  type SdpReply,
} from './messages.ts';

export type NgResult = 'ok' | 'error' | 'timeout' | 'unreachable' | 'protocol';

/** One finished exchange, for metrics. */
export interface NgExchange {
  readonly address: string;
  readonly command: NgCommand;
  readonly result: NgResult;
  readonly seconds: number;
}

export interface NgClientOptions {
  readonly host: string;
  readonly port: number;
  /** Wait for a reply before each retransmission; default 500 ms. */
  readonly timeoutMs?: number;
  /** Retransmissions after the first send; default 2 (so an unreachable rtpengine fails in ~1.5 s). */
  readonly retries?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Largest reply accepted; default 65,535 bytes. */
  readonly maxReplyBytes?: number;
  readonly observe?: (exchange: NgExchange) => void;
}

/** The typed NG commands; the pool and the gateway depend on this, tests may fake it. */
export interface NgApi {
  readonly address: string;
  ping(): Promise<void>;
  offer(request: OfferRequest): Promise<SdpReply>;
  answer(request: AnswerRequest): Promise<SdpReply>;
  delete(request: DeleteRequest): Promise<DeleteReply>;
  query(request: QueryRequest): Promise<QueryReply>;
  list(limit?: number): Promise<ListReply>;
  close(): Promise<void>;
}

interface Pending {
  readonly command: NgCommand;
  readonly started: number;
  timer: TimerHandle | undefined;
  resolve(reply: NgDict): void;
  reject(error: Error): void;
  /** sends the request (again) and starts the wait for its reply */
  transmit(): void;
}

/** Largest UDP payload over IPv4. */
const MAX_DATAGRAM = 65_507;

export class NgClient implements NgApi {
  readonly address: string;
  readonly #options: NgClientOptions;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #pending = new Map<string, Pending>();
  #socket: Promise<Socket> | undefined;
  #closed = false;
  /**
   * Cookies (NG protocol: rtpengine answers a repeated cookie from its cache) must be unique
   * among every client of an rtpengine, not secret: a random prefix per client and a counter,
   * rather than random bytes per command.
   */
  readonly #cookiePrefix = randomBytes(6).toString('hex');
  #cookieCount = 0;

  constructor(options: NgClientOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs ?? 500;
    this.#retries = options.retries ?? 2;
    this.address =
      isIP(options.host) === 6 ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
  }

  async ping(): Promise<void> {
    await this.request('ping', { command: 'ping' });
  }

  async offer(request: OfferRequest): Promise<SdpReply> {
    return parseSdpReply('offer', await this.request('offer', offerDict(request)));
  }

  async answer(request: AnswerRequest): Promise<SdpReply> {
    return parseSdpReply('answer', await this.request('answer', answerDict(request)));
  }

  async delete(request: DeleteRequest): Promise<DeleteReply> {
    const reply = await this.request('delete', deleteDict(request));
    return { warning: typeof reply.warning === 'string' ? reply.warning : undefined };
  }

  async query(request: QueryRequest): Promise<QueryReply> {
    return parseQueryReply(await this.request('query', queryDict(request)));
  }

  async list(limit?: number): Promise<ListReply> {
    return parseListReply(await this.request('list', listDict(limit)));
  }

  #nextCookie(): string {
    this.#cookieCount = (this.#cookieCount + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.#cookiePrefix}${this.#cookieCount.toString(36)}`;
  }

  /** Sends one command; resolves with the reply dictionary when `result` is ok or pong. */
  async request(command: NgCommand, dict: NgRequestDict): Promise<NgDict> {
    if (this.#closed) throw new RtpengineUnavailable('stopped', `NG client for ${this.address} is closed`);
    const cookie = this.#nextCookie();
    const payload = bencode(dict, `${cookie} `);
    if (payload.length > MAX_DATAGRAM)
      throw new NgProtocolError(command, `request of ${payload.length} bytes does not fit in one datagram`);
    const socket = await this.#connect();
    const started = this.#clock.now();
    return new Promise<NgDict>((resolve, reject) => {
      // Two requests must land even when rtpengine is slow. A delete ends a call that is over on
      // the SIP side: nothing waits for it, and one lost leaves rtpengine's session behind. An
      // answer completes a call the callee has already accepted: one given up on sends the
      // browser the IMS side's SDP, which it cannot use, and the call fails after all. Both get
      // two tries more, each waiting twice as long as the one before (500, 1000, 2000 ... ms),
      // the backoff easing a busy rtpengine. An offer still fails fast: its 503 goes back before
      // anyone is alerted.
      const mustLand = command === 'delete' || command === 'answer';
      const retries = mustLand ? this.#retries + 2 : this.#retries;
      let attempts = 0;
      let wait = this.#timeoutMs;
      let waited = 0;
      const client = this;
      // Methods, not arrow-valued properties: under tsx (esbuild keepNames) every named arrow
      // made per request costs a defineProperty of its name.
      const pending: Pending = {
        command,
        started,
        timer: undefined,
        resolve(reply) {
          client.#finish(cookie, 'ok', () => resolve(reply));
        },
        reject(error) {
          client.#finish(cookie, resultOf(error), () => reject(error));
        },
        transmit() {
          attempts++;
          socket.send(payload, (err) => {
            if (err && client.#pending.has(cookie))
              pending.reject(
                new RtpengineUnavailable('unreachable', `cannot send to ${client.address}: ${err.message}`),
              );
          });
          pending.timer = client.#clock.setTimer(wait, () => {
            waited += wait;
            if (mustLand) wait *= 2;
            if (!client.#pending.has(cookie)) return;
            if (attempts <= retries) pending.transmit();
            else pending.reject(new RtpengineTimeout(command, client.address, waited));
          });
        },
      };
      this.#pending.set(cookie, pending);
      this.#options.logger?.debug(
        { command, callId: dict['call-id'], rtpengine: this.address },
        'NG request',
      );
      pending.transmit();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of [...this.#pending.values()])
      pending.reject(new RtpengineUnavailable('stopped', `NG client for ${this.address} closed`));
    const socket = await this.#socket?.catch(() => undefined);
    this.#socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  #finish(cookie: string, result: NgResult, settle: () => void): void {
    const pending = this.#pending.get(cookie);
    if (pending === undefined) return;
    this.#pending.delete(cookie);
    if (pending.timer !== undefined) this.#clock.clearTimer(pending.timer);
    const seconds = (this.#clock.now() - pending.started) / 1000;
    this.#options.observe?.({ address: this.address, command: pending.command, result, seconds });
    settle();
  }

  #connect(): Promise<Socket> {
    this.#socket ??= new Promise<Socket>((resolve, reject) => {
      const socket = createSocket(isIP(this.#options.host) === 6 ? 'udp6' : 'udp4');
      const failEarly = (err: Error): void => {
        this.#socket = undefined;
        try {
          socket.close();
        } catch {
          // already closed by the failure
        }
        reject(new RtpengineUnavailable('unreachable', `cannot reach ${this.address}: ${err.message}`));
      };
      socket.once('error', failEarly);
      socket.connect(this.#options.port, this.#options.host, () => {
        socket.off('error', failEarly);
        socket.on('error', (err) => this.#onSocketError(err));
        socket.on('message', (data) => this.#onMessage(data));
        resolve(socket);
      });
    });
    return this.#socket;
  }

  #onSocketError(err: NodeJS.ErrnoException): void {
    // On a connected UDP socket this is an ICMP error (ECONNREFUSED: nothing listens there).
    this.#options.logger?.warn({ rtpengine: this.address, code: err.code }, 'NG socket error');
    for (const pending of [...this.#pending.values()])
      pending.reject(new RtpengineUnavailable('unreachable', `${this.address}: ${err.code ?? err.message}`));
  }

  #onMessage(data: Buffer): void {
    const space = data.indexOf(0x20);
    const cookie = space > 0 && space <= 64 ? data.toString('latin1', 0, space) : undefined;
    const pending = cookie === undefined ? undefined : this.#pending.get(cookie);
    if (cookie === undefined || pending === undefined) {
      // A late reply to a request already settled, or garbage: nothing waits for it.
      this.#options.logger?.debug(
        { rtpengine: this.address, bytes: data.length },
        'NG reply matches no request',
      );
      return;
    }
    let reply: NgDict | undefined;
    try {
      reply = asDict(bdecode(data.subarray(space + 1), { maxBytes: this.#options.maxReplyBytes ?? 65_535 }));
    } catch (error) {
      const detail = error instanceof BencodeError ? error.message : String(error);
      pending.reject(new NgProtocolError(pending.command, detail));
      return;
    }
    const result = reply?.result;
    if (reply === undefined) pending.reject(new NgProtocolError(pending.command, 'not a dictionary'));
    else if (result === 'ok' || result === 'pong') pending.resolve(reply);
    else if (result === 'error' || result === 'load limit') {
      const reason = typeof reply['error-reason'] === 'string' ? reply['error-reason'] : String(result);
      pending.reject(new RtpengineRejected(pending.command, reason));
    } else
      pending.reject(new NgProtocolError(pending.command, `unexpected result ${JSON.stringify(result)}`));
  }
}

function resultOf(error: Error): NgResult {
  if (error instanceof RtpengineRejected) return 'error';
  if (error instanceof RtpengineTimeout) return 'timeout';
  if (error instanceof RtpengineUnavailable) return 'unreachable';
  return 'protocol';
}
