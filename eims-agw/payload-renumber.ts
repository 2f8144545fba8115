/**
 * Answers that renumber dynamic RTP payload types (RFC 3264 §6.1: the answerer SHOULD, not
 * MUST, reuse the offer's number for a codec), made acceptable to rtpengine without losing the
 * codec.
 *
 * rtpengine (10.5 and later, by design: sipwise/rtpengine issues #1493, #1556, #1740) drops an
 * answer's codec whose payload type was not in the offer it wrote ("Not adding stray answer
 * codec"): an IMS peer answering `telephone-event` as 101 to an offer that said 126 leaves the
 * WebRTC client without DTMF. rtpengine also never rewrites the payload type of a codec it
 * passes through. So the gateway edits the SDP on both sides of rtpengine, on text:
 *
 * 1. `answerRenumbering`: per media section, each dynamic payload type of the answer whose codec
 *    (name, clock rate, channels) the offer carried under another number, mapped to that number
 *    (e.g. 101 → 126); rtpengine gets the answer renumbered, so it keeps the codec.
 * 2. `reverseRenumbering`: the same map inverted (126 → 101) for rtpengine's answer to the
 *    offerer, so the offerer sends that codec under the number the answerer declared it receives
 *    (RFC 3264 §5.1), and rtpengine, passing it through unchanged, delivers it under that number.
 *
 * Edits cover the m= line's format list and the `a=rtpmap`, `a=fmtp` and `a=rtcp-fb` lines of a
 * payload type; numbers inside fmtp values (RED's `111/111`) are left alone. A map entry is only
 * applied when its source number is in the section and its target number is free there.
 */

import { lineEnd, nextLine } from './sdp-lines.ts';

/** One media section's payload types: number → `name/rate/channels` (lower case), if mapped. */
export type SectionCodecs = ReadonlyMap<number, string | undefined>;
/** One media section's renumbering: from → to. */
export type PayloadMap = ReadonlyMap<number, number>;

/** RFC 3551 §6: 96-127 are the dynamic payload types. */
const isDynamic = (pt: number): boolean => pt >= 96 && pt <= 127;
/** Sticky: matched where a line starts, it cannot run past the line (no part matches CR or LF). */
const RTPMAP = /a=rtpmap:(\d+) ([^/\s]+)\/(\d+)(?:\/(\d+))?/y;
const PT_ATTRIBUTES = ['a=rtpmap:', 'a=fmtp:', 'a=rtcp-fb:'] as const;
const NO_MAP: PayloadMap = new Map();

function isMLine(sdp: string, at: number, end: number): boolean {
  return end - at >= 2 && sdp.charCodeAt(at) === 0x6d && sdp.charCodeAt(at + 1) === 0x3d;
}

/**
 * The format numbers of the RTP m= line in sdp[start, end), or undefined for other protocols and
 * for formats that are not payload type numbers. Tokens are separated by one or more spaces.
 */
function formatsAt(sdp: string, start: number, end: number): number[] | undefined {
  const out: number[] = [];
  let token = 0;
  let rtp = false;
  let i = start;
  for (;;) {
    while (i < end && sdp.charCodeAt(i) === 0x20) i++;
    if (i >= end) break;
    let j = i;
    while (j < end && sdp.charCodeAt(j) !== 0x20) j++;
    if (token === 2) {
      const p = sdp.indexOf('RTP', i);
      rtp = p >= 0 && p + 3 <= j;
    } else if (token > 2) {
      if (j - i > 3) return undefined;
      let pt = 0;
      for (let k = i; k < j; k++) {
        const c = sdp.charCodeAt(k);
        if (c < 0x30 || c > 0x39) return undefined;
        pt = pt * 10 + c - 0x30;
      }
      if (pt > 127) return undefined;
      out.push(pt);
    }
    token++;
    i = j;
  }
  return rtp ? out : undefined;
}

/**
 * The payload type an `a=rtpmap`, `a=fmtp` or `a=rtcp-fb` line in sdp[at, end) is about and
 * where its digits are (followed by whitespace); undefined for any other line.
 */
function payloadTypeAt(
  sdp: string,
  at: number,
  end: number,
): { pt: number; start: number; end: number } | undefined {
  if (sdp.charCodeAt(at) !== 0x61 || sdp.charCodeAt(at + 1) !== 0x3d) return undefined;
  const prefix = PT_ATTRIBUTES.find((p) => sdp.startsWith(p, at));
  if (prefix === undefined) return undefined;
  const start = at + prefix.length;
  let i = start;
  let pt = 0;
  for (let c = sdp.charCodeAt(i); i < end && c >= 0x30 && c <= 0x39; c = sdp.charCodeAt(++i))
    pt = pt * 10 + c - 0x30;
  const next = sdp.charCodeAt(i);
  return i > start && i < end && (next === 0x20 || next === 0x09) ? { pt, start, end: i } : undefined;
}

/** The payload types of each media section with their codecs (non-RTP sections are empty). */
export function sectionCodecs(sdp: string): SectionCodecs[] {
  const out: Map<number, string | undefined>[] = [];
  let codecs: Map<number, string | undefined> | undefined;
  for (let at = 0; at < sdp.length; ) {
    const end = lineEnd(sdp, at);
    if (isMLine(sdp, at, end)) {
      codecs = new Map();
      for (const pt of formatsAt(sdp, at, end) ?? []) codecs.set(pt, undefined);
      out.push(codecs);
    } else if (codecs !== undefined && sdp.startsWith('a=rtpmap:', at)) {
      RTPMAP.lastIndex = at;
      const m = RTPMAP.exec(sdp);
      const pt = m === null ? -1 : Number(m[1]);
      if (m !== null && codecs.has(pt)) codecs.set(pt, `${m[2]?.toLowerCase()}/${m[3]}/${m[4] ?? '1'}`);
    }
    at = nextLine(sdp, end);
  }
  return out;
}

/** One media section's payload type numbers (its m= line's formats). */
export type SectionFormats = ReadonlySet<number>;

/**
 * The payload type numbers of each media section, read from the m= lines alone: the keys of
 * `sectionCodecs`, without going through every attribute line (a browser's offer has dozens).
 */
export function sectionFormats(sdp: string): SectionFormats[] {
  const out: SectionFormats[] = [];
  let at = sdp.startsWith('m=') ? 0 : nextMLine(sdp, 0);
  while (at >= 0) {
    const end = lineEnd(sdp, at);
    out.push(new Set(formatsAt(sdp, at, end)));
    at = nextMLine(sdp, end);
  }
  return out;
}

/** Where the next line that starts with m= begins, from `from` on; -1 when none does. */
function nextMLine(sdp: string, from: number): number {
  const i = sdp.indexOf('\nm=', from);
  return i < 0 ? -1 : i + 1;
}

/**
 * Per media section of `answer`, its dynamic payload types whose codec the offer (as the
 * answerer received it) carried only under another number, mapped to the offer's number.
 * Empty maps when the answer keeps the offer's numbers.
 */
export function answerRenumbering(offer: readonly SectionCodecs[], answer: string): PayloadMap[] {
  const sections = sectionCodecs(answer);
  const out: PayloadMap[] = [];
  for (let i = 0; i < sections.length; i++) {
    const answered = sections[i]!;
    const offered = offer[i];
    const map = new Map<number, number>();
    for (const [pt, codec] of answered) {
      if (offered === undefined || !isDynamic(pt) || codec === undefined || offered.get(pt) === codec)
        continue;
      for (const [q, c] of offered)
        if (c === codec && !answered.has(q) && !targets(map, q)) {
          map.set(pt, q);
          break;
        }
    }
    out.push(map);
  }
  return out;
}

function targets(map: PayloadMap, target: number): boolean {
  for (const to of map.values()) if (to === target) return true;
  return false;
}

/**
 * The maps inverted, for the SDP going back to the offerer; entries whose target number the
 * offerer's own offer used (for any codec) are left out, so no number changes meaning for it.
 */
export function reverseRenumbering(
  maps: readonly PayloadMap[],
  offerer: readonly (SectionFormats | SectionCodecs)[],
): PayloadMap[] {
  return maps.map((map, i) => {
    const own = offerer[i];
    const back = new Map<number, number>();
    for (const [from, to] of map) if (own?.has(from) !== true) back.set(to, from);
    return back;
  });
}

/** True when some section has something to renumber. */
export function renumbers(maps: readonly PayloadMap[]): boolean {
  return maps.some((map) => map.size > 0);
}

/**
 * `sdp` with each section's payload types renumbered by its map: the m= line's formats and the
 * rtpmap, fmtp and rtcp-fb lines; everything else stays byte for byte.
 */
export function renumberPayloads(sdp: string, maps: readonly PayloadMap[]): string {
  if (!renumbers(maps)) return sdp;
  let out = '';
  /** sdp[copied, ...) is not in `out` yet */
  let copied = 0;
  let section = -1;
  let map = NO_MAP;
  for (let at = 0; at < sdp.length; ) {
    const end = lineEnd(sdp, at);
    if (isMLine(sdp, at, end)) {
      const present = formatsAt(sdp, at, end);
      map = applicable(maps[++section], present);
      if (map.size > 0 && present !== undefined) {
        const formats = present.map((pt) => map.get(pt) ?? pt).join(' ');
        const head = sdp
          .slice(at, end)
          .split(' ')
          .filter((token) => token !== '')
          .slice(0, 3);
        out += `${sdp.slice(copied, at)}${head.join(' ')} ${formats}`;
        copied = end;
      }
    } else if (map.size > 0) {
      const p = payloadTypeAt(sdp, at, end);
      const to = p === undefined ? undefined : map.get(p.pt);
      if (p !== undefined && to !== undefined) {
        out += `${sdp.slice(copied, p.start)}${to}`;
        copied = p.end;
      }
    }
    at = nextLine(sdp, end);
  }
  return copied === 0 ? sdp : out + sdp.slice(copied);
}

/** The entries whose source is in the section and whose target is free once the sources move. */
function applicable(map: PayloadMap | undefined, present: readonly number[] | undefined): PayloadMap {
  if (map === undefined || present === undefined || map.size === 0) return NO_MAP;
  const out = new Map<number, number>();
  for (const [from, to] of map) {
    // The target is free when the section does not use it, or uses it for a type that moves too.
    if (present.includes(from) && !(present.includes(to) && !map.has(to))) out.set(from, to);
  }
  return out;
}
