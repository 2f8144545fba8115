/**
 * The messages between the primary process and its workers over the node:cluster IPC channel.
 * Every message carries `channel: 'webrtc-ims'`, so prom-client's or Node's own cluster
 * messages on the same channel are never mistaken for ours. Each side parses what it receives
 * here (the edge): nothing untyped flows on.
 */

import { z } from 'zod';

export const CHANNEL = 'webrtc-ims';

/** From the primary to a worker. */
export type PrimaryMessage =
  /** who the worker is and what the primary knows (sent on start and again when it changes) */
  | {
      readonly channel: typeof CHANNEL;
      readonly kind: 'facts';
      readonly index: number;
      readonly facts: unknown;
    }
  /** stop gracefully, then exit 0 */
  | { readonly channel: typeof CHANNEL; readonly kind: 'stop' }
  /** answer with the worker's metrics (prom-client `getMetricsAsJSON()`) */
  | { readonly channel: typeof CHANNEL; readonly kind: 'metrics-request'; readonly id: number };

/** prom-client's JSON form of one metric family, as much of it as the aggregation reads. */
export interface MetricFamilyJson {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator: 'omit' | 'sum' | 'first' | 'min' | 'max' | 'average';
  readonly values: readonly {
    readonly value: number;
    readonly labels: Readonly<Record<string, string | number>>;
    readonly metricName?: string;
  }[];
}

/** From a worker to the primary. */
export type WorkerMessage =
  /** listening for the primary's messages: send the facts (messages sent before would be lost) */
  | { readonly channel: typeof CHANNEL; readonly kind: 'hello' }
  /** serving: `detail` says where (ports), for /healthz and the logs */
  | {
      readonly channel: typeof CHANNEL;
      readonly kind: 'ready';
      readonly detail: Readonly<Record<string, number | string>>;
    }
  /** could not start: the reason, before it exits 1 */
  | { readonly channel: typeof CHANNEL; readonly kind: 'failed'; readonly reason: string }
  | {
      readonly channel: typeof CHANNEL;
      readonly kind: 'metrics';
      readonly id: number;
      readonly metrics: readonly MetricFamilyJson[];
    };

const metricFamily = z.object({
  name: z.string(),
  help: z.string(),
  type: z.string(),
  aggregator: z.enum(['omit', 'sum', 'first', 'min', 'max', 'average']),
  values: z.array(
    z.object({
      value: z.number(),
      labels: z.record(z.string(), z.union([z.string(), z.number()])),
      metricName: z.string().optional(),
    }),
  ),
});

const workerMessage = z.discriminatedUnion('kind', [
  z.object({ channel: z.literal(CHANNEL), kind: z.literal('hello') }),
  z.object({
    channel: z.literal(CHANNEL),
    kind: z.literal('ready'),
    detail: z.record(z.string(), z.union([z.number(), z.string()])),
  }),
  z.object({ channel: z.literal(CHANNEL), kind: z.literal('failed'), reason: z.string() }),
  z.object({
    channel: z.literal(CHANNEL),
    kind: z.literal('metrics'),
    id: z.number().int(),
    metrics: z.array(metricFamily),
  }),
]);

const primaryMessage = z.discriminatedUnion('kind', [
  z.object({
    channel: z.literal(CHANNEL),
    kind: z.literal('facts'),
    index: z.number().int().min(0),
    facts: z.unknown(),
  }),
  z.object({ channel: z.literal(CHANNEL), kind: z.literal('stop') }),
  z.object({ channel: z.literal(CHANNEL), kind: z.literal('metrics-request'), id: z.number().int() }),
]);

/** prom-client's `getMetricsAsJSON()` output as typed families (its own typings say `type` is a number; it is a string). */
export function parseMetricFamilies(json: unknown): MetricFamilyJson[] {
  return z.array(metricFamily).parse(json);
}

function isOurs(message: unknown): boolean {
  return (
    typeof message === 'object' && message !== null && 'channel' in message && message.channel === CHANNEL
  );
}

/** A worker's message, or undefined for anything else on the channel (or a malformed one of ours). */
export function parseWorkerMessage(message: unknown): WorkerMessage | undefined {
  if (!isOurs(message)) return undefined;
  const parsed = workerMessage.safeParse(message);
  return parsed.success ? parsed.data : undefined;
}

/** The primary's message, or undefined for anything else on the channel. */
export function parsePrimaryMessage(message: unknown): PrimaryMessage | undefined {
  if (!isOurs(message)) return undefined;
  const parsed = primaryMessage.safeParse(message);
  return parsed.success ? parsed.data : undefined;
}
