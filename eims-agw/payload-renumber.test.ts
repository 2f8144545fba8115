import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  answerRenumbering,
  type PayloadMap,
  renumberPayloads,
  reverseRenumbering,
  sectionCodecs,
  sectionFormats,
} from './payload-renumber.ts';

const SDP_VECTORS = new URL('../../shared/vectors/sdp/', import.meta.url);

/** An SDP with one audio section per entry: [formats, rtpmap/fmtp/rtcp-fb lines]. */
function sdp(...sections: Array<[string, string[]]>): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    ...sections.flatMap(([formats, attributes], i) => [
      `m=audio ${40000 + 2 * i} RTP/AVP ${formats}`,
      ...attributes,
      'a=sendrecv',
    ]),
    '',
  ].join('\r\n');
}

// What the eIMS-AGW offers the IMS core for Chrome (telephone-event/8000 at Chrome's 126).
const OFFER = sdp([
  '111 9 0 8 13 110 126',
  [
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
  ],
]);
const imsAnswer = (pt: number) =>
  sdp(['8 ' + pt, ['a=rtpmap:8 PCMA/8000', `a=rtpmap:${pt} telephone-event/8000`, `a=fmtp:${pt} 0-15`]]);
const plain = (maps: readonly PayloadMap[]) => maps.map((m) => Object.fromEntries(m));

describe('answers that renumber payload types', () => {
  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST map a dynamic payload type the answer gave an offered codec under another number back to the offer’s number', () => {
    const maps = answerRenumbering(sectionCodecs(OFFER), imsAnswer(101));
    expect(plain(maps)).toEqual([{ 101: 126 }]);
    // What rtpengine gets: the offer's number, rtpmap and fmtp included, PCMA untouched.
    const forRtpengine = renumberPayloads(imsAnswer(101), maps);
    expect(forRtpengine).toBe(imsAnswer(126));
  });

  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST change nothing when the answer keeps the offer’s numbers', () => {
    const maps = answerRenumbering(sectionCodecs(OFFER), imsAnswer(126));
    expect(plain(maps)).toEqual([{}]);
    expect(renumberPayloads(imsAnswer(126), maps)).toBe(imsAnswer(126));
    // Static payload types are never renumbered, nor codecs the offer did not carry (rtpengine's call).
    const stray = sdp(['8 97', ['a=rtpmap:8 PCMA/8000', 'a=rtpmap:97 AMR-WB/16000']]);
    expect(plain(answerRenumbering(sectionCodecs(OFFER), stray))).toEqual([{}]);
  });

  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST match codecs by name (any case), clock rate and channels, section by section', () => {
    const offer = sdp(
      ['111 126', ['a=rtpmap:111 opus/48000/2', 'a=rtpmap:126 telephone-event/8000']],
      ['96', ['a=rtpmap:96 telephone-event/8000']],
    );
    const answer = sdp(
      ['100 101', ['a=rtpmap:100 OPUS/48000/2', 'a=rtpmap:101 telephone-event/48000']],
      ['97', ['a=rtpmap:97 TELEPHONE-EVENT/8000']],
    );
    // opus/48000/2 matches; telephone-event/48000 was not offered (another clock rate).
    expect(plain(answerRenumbering(sectionCodecs(offer), answer))).toEqual([{ 100: 111 }, { 97: 96 }]);
    const mono = sdp(['100', ['a=rtpmap:100 opus/48000']]);
    expect(plain(answerRenumbering(sectionCodecs(offer), mono))).toEqual([{}]);
  });

  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST not map onto a number the answer already uses, nor two payload types onto one', () => {
    const offer = sdp(['126', ['a=rtpmap:126 telephone-event/8000']]);
    // The answer uses 126 for another codec: nowhere to move 101.
    const taken = sdp(['126 101', ['a=rtpmap:126 opus/48000/2', 'a=rtpmap:101 telephone-event/8000']]);
    expect(plain(answerRenumbering(sectionCodecs(offer), taken))).toEqual([{}]);
    // Two answer numbers for the one offered telephone-event: only the first moves.
    const twice = sdp([
      '101 102',
      ['a=rtpmap:101 telephone-event/8000', 'a=rtpmap:102 telephone-event/8000'],
    ]);
    expect(plain(answerRenumbering(sectionCodecs(offer), twice))).toEqual([{ 101: 126 }]);
  });

  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST give the offerer the answerer’s number back, unless the offerer used that number itself', () => {
    const maps = answerRenumbering(sectionCodecs(OFFER), imsAnswer(101));
    // rtpengine's answer to the WIC (passthrough: the WIC's numbers).
    const toWic = sdp([
      '8 126',
      ['a=rtpmap:8 PCMA/8000', 'a=rtpmap:126 telephone-event/8000', 'a=fmtp:126 0-15', 'a=rtcp-fb:126 nack'],
    ]);
    const back = reverseRenumbering(maps, sectionCodecs(OFFER));
    expect(plain(back)).toEqual([{ 126: 101 }]);
    expect(renumberPayloads(toWic, back)).toBe(
      sdp([
        '8 101',
        [
          'a=rtpmap:8 PCMA/8000',
          'a=rtpmap:101 telephone-event/8000',
          'a=fmtp:101 0-15',
          'a=rtcp-fb:101 nack',
        ],
      ]),
    );
    // A WIC that offered 101 for something else keeps the offer's number (no change of meaning).
    const own = sdp(['101 126', ['a=rtpmap:101 telephone-event/48000', 'a=rtpmap:126 telephone-event/8000']]);
    expect(plain(reverseRenumbering(maps, sectionCodecs(own)))).toEqual([{}]);
  });

  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST leave a section alone where the source number is absent or the target is taken, and touch nothing but payload-type lines', () => {
    const map = [new Map([[126, 101]])];
    // rtpengine transcoding toward the WIC answered telephone-event/48000 at 110 instead.
    const transcoded = sdp(['111 110', ['a=rtpmap:111 opus/48000/2', 'a=rtpmap:110 telephone-event/48000']]);
    expect(renumberPayloads(transcoded, map)).toBe(transcoded);
    const taken = sdp(['101 126', ['a=rtpmap:101 opus/48000/2', 'a=rtpmap:126 telephone-event/8000']]);
    expect(renumberPayloads(taken, map)).toBe(taken);
    // Swaps are fine; other lines (a=ptime:126, fmtp values) and LF line ends stay as they were.
    const lf =
      'v=0\nm=audio 9 RTP/AVP 101 126\na=rtpmap:101 A/8000\na=rtpmap:126 B/8000\na=fmtp:126 101/101\na=ptime:126\n';
    expect(
      renumberPayloads(lf, [
        new Map([
          [101, 126],
          [126, 101],
        ]),
      ]),
    ).toBe(
      'v=0\nm=audio 9 RTP/AVP 126 101\na=rtpmap:126 A/8000\na=rtpmap:101 B/8000\na=fmtp:101 101/101\na=ptime:126\n',
    );
  });

  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST ignore sections that are not RTP', () => {
    const withData = sdp(['126', ['a=rtpmap:126 telephone-event/8000']]).replace(
      't=0 0\r\n',
      't=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n',
    );
    expect(sectionCodecs(withData).map((s) => s.size)).toEqual([0, 1]);
    // Extra spaces on the m= line are no payload types.
    expect([...(sectionCodecs('v=0\r\nm=audio 9  RTP/AVP 8 126 \r\n')[0]?.keys() ?? [])]).toEqual([8, 126]);
    const map = [new Map([[126, 101]]), new Map([[126, 101]])];
    expect(renumberPayloads(withData, map)).toContain('m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n');
    expect(renumberPayloads(withData, map)).toContain('m=audio 40000 RTP/AVP 101\r\n');
  });

  it('[RFC3264-6.1-answer-renumbers-dtmf] reads the same payload type numbers from the m= lines alone as from the whole SDP, for every SDP vector', () => {
    const files = readdirSync(SDP_VECTORS, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.sdp'),
    );
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(new URL(file, SDP_VECTORS), 'latin1');
      for (const variant of [text, text.replace(/\r?\n/g, '\r\n'), text.replace(/\r\n/g, '\n')])
        expect(
          sectionFormats(variant).map((s) => [...s]),
          file,
        ).toEqual(sectionCodecs(variant).map((s) => [...s.keys()]));
    }
    expect(sectionFormats('m=audio 9 RTP/AVP 0\nm=video 9 RTP/AVP 96').map((s) => [...s])).toEqual([
      [0],
      [96],
    ]);
    expect(sectionFormats('v=0\r\n')).toEqual([]);
  });
});
