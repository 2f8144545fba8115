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

/** One media section's payload types: number → `name/rate/channels` (lower case), if mapped. */
export type SectionCodecs = ReadonlyMap<number, string | undefined>;
/** One media section's renumbering: from → to. */
export type PayloadMap = ReadonlyMap<number, number>;

/** RFC 3551 §6: 96-127 are the dynamic payload types. */
const isDynamic = (pt: number): boolean => pt >= 96 && pt <= 127;
const RTPMAP = /^a=rtpmap:(\d+) ([^/\s]+)\/(\d+)(?:\/(\d+))?/;
const PT_ATTRIBUTES = ['a=rtpmap:', 'a=fmtp:', 'a=rtcp-fb:'] as const;

/**
 * The payload type an `a=rtpmap`, `a=fmtp` or `a=rtcp-fb` line is about and where its digits are
 * (followed by whitespace); undefined for any other line. Read by hand: this runs on every line of
 * each SDP renumbered, most of which (candidates, fingerprints) are none of these.
 */
function payloadTypeAt(line: string): { pt: number; start: number; end: number } | undefined {
  if (line.charCodeAt(0) !== 0x61 || line.charCodeAt(1) !== 0x3d) return undefined;
  const prefix = PT_ATTRIBUTES.find((p) => line.startsWith(p));
  if (prefix === undefined) return undefined;
  const start = prefix.length;
  let end = start;
  let pt = 0;
  for (let c = line.charCodeAt(end); c >= 0x30 && c <= 0x39; c = line.charCodeAt(++end))
    pt = pt * 10 + c - 0x30;
  const next = line.charCodeAt(end);
  return end > start && (next === 0x20 || next === 0x09) ? { pt, start, end } : undefined;
}

function splitLines(sdp: string): { lines: string[]; eol: string } {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return { lines: sdp.split(eol), eol };
}

/** Index ranges [start, end) of the media sections' lines. */
function sections(lines: readonly string[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('m=')) return;
    const last = out.at(-1);
    if (last !== undefined) last[1] = i;
    out.push([i, lines.length]);
  });
  return out;
}

/** The format numbers of an RTP m= line, or undefined for other lines and protocols. */
function formats(mLine: string): number[] | undefined {
  const [, , proto, ...fmts] = mLine.split(' ').filter((token) => token !== '');
  if (proto === undefined || !proto.includes('RTP')) return undefined;
  if (!fmts.every((f) => /^\d{1,3}$/.test(f) && Number(f) <= 127)) return undefined;
  return fmts.map(Number);
}

/** The payload types of each media section with their codecs (non-RTP sections are empty). */
export function sectionCodecs(sdp: string): SectionCodecs[] {
  const { lines } = splitLines(sdp);
  return sections(lines).map(([start, end]) => {
    const codecs = new Map<number, string | undefined>();
    for (const pt of formats(lines[start] ?? '') ?? []) codecs.set(pt, undefined);
    for (const line of lines.slice(start + 1, end)) {
      const m = RTPMAP.exec(line);
      if (m === null) continue;
      const pt = Number(m[1]);
      if (codecs.has(pt)) codecs.set(pt, `${m[2]?.toLowerCase()}/${m[3]}/${m[4] ?? '1'}`);
    }
    return codecs;
  });
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
    let end = sdp.indexOf('\n', at);
    if (end < 0) end = sdp.length;
    out.push(new Set(formats(sdp.slice(at, sdp.charCodeAt(end - 1) === 0x0d ? end - 1 : end))));
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
  return sectionCodecs(answer).map((answered, i) => {
    const offered = offer[i] ?? new Map<number, string | undefined>();
    const map = new Map<number, number>();
    for (const [pt, codec] of answered) {
      if (!isDynamic(pt) || codec === undefined || offered.get(pt) === codec) continue;
      const target = [...offered].find(([q, c]) => c === codec && !answered.has(q) && !taken(map, q))?.[0];
      if (target !== undefined) map.set(pt, target);
    }
    return map;
  });
}

const taken = (map: PayloadMap, target: number): boolean => [...map.values()].includes(target);

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
    return new Map([...map].filter(([from]) => own?.has(from) !== true).map(([from, to]) => [to, from]));
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
  const { lines, eol } = splitLines(sdp);
  sections(lines).forEach(([start, end], i) => {
    const mLine = lines[start] ?? '';
    const present = formats(mLine);
    const map = applicable(maps[i], present);
    if (map.size === 0) return;
    const rename = (pt: number): number => map.get(pt) ?? pt;
    const head = mLine
      .split(' ')
      .filter((token) => token !== '')
      .slice(0, 3);
    lines[start] = [...head, ...(present ?? []).map(rename)].join(' ');
    for (let j = start + 1; j < end; j++) {
      const line = lines[j] ?? '';
      const at = payloadTypeAt(line);
      if (at === undefined || !map.has(at.pt)) continue;
      lines[j] = `${line.slice(0, at.start)}${rename(at.pt)}${line.slice(at.end)}`;
    }
  });
  return lines.join(eol);
}

/** The entries whose source is in the section and whose target is free once the sources move. */
function applicable(map: PayloadMap | undefined, present: readonly number[] | undefined): PayloadMap {
  if (map === undefined || present === undefined) return new Map();
  const moving = new Set([...map.keys()].filter((pt) => present.includes(pt)));
  const staying = present.filter((pt) => !moving.has(pt));
  return new Map([...map].filter(([from, to]) => moving.has(from) && !staying.includes(to)));
}
