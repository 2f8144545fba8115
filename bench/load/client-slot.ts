/**
 * A load worker's client slot (load-worker.ts): one simulated client, its connection and the
 * registration under way; and opening a WebSocket slot with the `ws` library or with lean-ws.ts
 * (Target `client`), which behave alike toward the worker.
 */
import WebSocket from 'ws';
import type { CallClient } from './call-client.ts';
import { LeanWebSocket } from './lean-ws.ts';
import type { Target } from './protocol.ts';
import type { RegisterClient } from './register-client.ts';
import { sourceOf } from './sources.ts';

/** What a slot needs of its WebSocket. */
export interface Connection {
  send(text: string): void;
  terminate(): void;
}

export interface Slot {
  readonly client: RegisterClient;
  readonly localAddress: string;
  /** its calls (created at its first call) */
  call: CallClient | undefined;
  send(text: string): void;
  /** undefined: UDP (the shared socket) */
  ws: Connection | undefined;
  alive: boolean;
  /** told how the registration under way ended */
  settle: ((ok: boolean, reason?: string) => void) | undefined;
}

export interface SlotEvents {
  /** a message arrived on the slot's connection */
  onText(slot: Slot, text: string): void;
  /** the server closed the slot's connection after it had opened */
  closedByServer(slot: Slot): void;
}

/** Opens the client's WebSocket to the target; resolves once the handshake is done. */
export function openWsSlot(
  target: Extract<Target, { kind: 'ws' }>,
  client: RegisterClient,
  localAddress: string | undefined,
  timeoutMs: number,
  events: SlotEvents,
): Promise<Slot> {
  return target.client === 'lean'
    ? openLean(target, client, localAddress, timeoutMs, events)
    : openWs(target, client, localAddress, timeoutMs, events);
}

function openWs(
  target: Extract<Target, { kind: 'ws' }>,
  client: RegisterClient,
  localAddress: string | undefined,
  timeoutMs: number,
  events: SlotEvents,
): Promise<Slot> {
  const ws = new WebSocket(target.url, 'sip', {
    perMessageDeflate: false,
    origin: target.origin,
    rejectUnauthorized: false,
    handshakeTimeout: timeoutMs,
    ...(localAddress === undefined ? {} : { localAddress }),
  });
  const slot: Slot = {
    client,
    localAddress: localAddress ?? '127.0.0.1',
    call: undefined,
    ws,
    alive: false,
    settle: undefined,
    send: (text) => ws.send(text),
  };
  ws.on('message', (data: Buffer) => events.onText(slot, data.toString('latin1')));
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      slot.alive = true;
      resolve(slot);
    });
    ws.once('error', (err) => reject(err));
    ws.once('close', () => events.closedByServer(slot));
  });
}

async function openLean(
  target: Extract<Target, { kind: 'ws' }>,
  client: RegisterClient,
  localAddress: string | undefined,
  timeoutMs: number,
  events: SlotEvents,
): Promise<Slot> {
  let slot: Slot | undefined;
  const source = target.fixedSources ? sourceOf(client.spec.index) : undefined;
  const ws = await LeanWebSocket.connect(
    {
      url: target.url,
      protocol: 'sip',
      origin: target.origin,
      localAddress: source?.address ?? localAddress,
      localPort: source?.port,
      handshakeTimeoutMs: timeoutMs,
    },
    {
      onMessage: (text) => {
        if (slot !== undefined) events.onText(slot, text);
      },
      onClose: () => {
        if (slot !== undefined) events.closedByServer(slot);
      },
    },
  );
  slot = {
    client,
    localAddress: source?.address ?? localAddress ?? '127.0.0.1',
    call: undefined,
    ws,
    alive: true,
    settle: undefined,
    send: (text) => ws.send(text),
  };
  return slot;
}
