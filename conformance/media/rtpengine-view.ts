/**
 * rtpengine's own account of the calls it anchors, read over NG with the product's client:
 * `list` (which calls exist) and `query` (per party, the RTP packets rtpengine received from
 * it). A received count > 0 for both parties of a call is media flowing both ways through it.
 * The eP-CSCF anchors each call leg on its own, under the Call-ID plus a leg suffix, so the
 * rtpengine Call-IDs come from `list`, and a WIC-to-WIC call is two rtpengine calls.
 */
import type { NgApi } from '../../eims-agw/index.ts';

export interface PartyCounters {
  /** the SIP tag rtpengine knows the party by */
  readonly tag: string;
  /** RTP packets rtpengine received from this party (RTCP not counted) */
  readonly rtpPackets: number;
  readonly protocols: readonly string[];
}

export class RtpengineView {
  readonly #ng: NgApi;

  constructor(ng: NgApi) {
    this.#ng = ng;
  }

  /** Call-IDs rtpengine holds now. */
  async calls(): Promise<readonly string[]> {
    return (await this.#ng.list()).calls;
  }

  /** Per party of `callId`, what rtpengine received from it. */
  async counters(callId: string): Promise<readonly PartyCounters[]> {
    const reply = await this.#ng.query({ callId });
    const tags = reply.raw['tags'];
    if (tags === undefined || typeof tags !== 'object' || Array.isArray(tags)) return [];
    return Object.entries(tags).map(([tag, value]) => ({
      tag,
      rtpPackets: rtpPacketsOf(value),
      protocols: reply.tags.find((t) => t.tag === tag)?.protocols ?? [],
    }));
  }
}

type Node = unknown;

function field(node: Node, key: string): Node {
  return node !== null && typeof node === 'object' && !Array.isArray(node)
    ? (node as Record<string, Node>)[key]
    : undefined;
}

/** Sum of `stats.packets` over the RTP streams (not the RTCP ones) of every media of a tag. */
function rtpPacketsOf(tag: Node): number {
  let packets = 0;
  const medias = field(tag, 'medias');
  if (!Array.isArray(medias)) return 0;
  for (const media of medias) {
    const streams = field(media, 'streams');
    if (!Array.isArray(streams)) continue;
    for (const stream of streams) {
      const flags = field(stream, 'flags');
      // `RTP` marks the stream carrying RTP (with rtcp-mux it carries RTCP too); an `RTCP`-only
      // stream is the separate RTCP port.
      const carriesRtp = Array.isArray(flags) && flags.some((f) => f === 'RTP');
      const count = field(field(stream, 'stats'), 'packets');
      if (carriesRtp && typeof count === 'number') packets += count;
    }
  }
  return packets;
}
