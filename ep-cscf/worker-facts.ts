/**
 * What the primary tells each eP-CSCF worker beyond the environment they share: the facts only
 * the primary knows (the lab core it started, the rtpengines of its eIMS-AGW, its WAF, its HTTP
 * origins once it listens) and one flow-token key for all workers, so that a token outlives the
 * worker that made it (a request for a flow of a restarted worker gets 430, not 403). Sent over
 * the cluster IPC channel, never logged: it holds secrets.
 */

import { z } from 'zod';

export interface WorkerFacts {
  /** the IMS core's next hop: IMS_CORE_URI, or the URI of the lab core the primary started */
  readonly imsCoreUri: string;
  /** FLOW_TOKEN_KEY, or a random key the primary made for this run */
  readonly flowTokenKey: string;
  /** the primary's HTTP origins (allowed Origins when ALLOWED_ORIGINS is empty); [] until it listens */
  readonly origins: readonly string[];
  /** NG addresses of the primary's eIMS-AGW; undefined: no eIMS-AGW, SDP passes end to end */
  readonly rtpengines: readonly string[] | undefined;
  /** the primary's WAF: its issuer (undefined until the HTTP server listens) and resource-server client */
  readonly waf:
    | {
        readonly issuer: string | undefined;
        readonly resourceClient: { readonly id: string; readonly secret: string };
      }
    | undefined;
}

const facts = z.object({
  imsCoreUri: z.string().min(1),
  flowTokenKey: z.string().min(1),
  origins: z.array(z.string()),
  rtpengines: z.array(z.string()).optional(),
  waf: z
    .object({
      issuer: z.string().optional(),
      resourceClient: z.object({ id: z.string(), secret: z.string() }),
    })
    .optional(),
});

/** The facts as a worker receives them, or undefined when they are not well-formed. */
export function parseWorkerFacts(raw: unknown): WorkerFacts | undefined {
  const parsed = facts.safeParse(raw);
  if (!parsed.success) return undefined;
  const f = parsed.data;
  return {
    imsCoreUri: f.imsCoreUri,
    flowTokenKey: f.flowTokenKey,
    origins: f.origins,
    rtpengines: f.rtpengines,
    waf: f.waf === undefined ? undefined : { issuer: f.waf.issuer, resourceClient: f.waf.resourceClient },
  };
}
