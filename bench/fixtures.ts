import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The messages of the parser benchmark. Each header section is a file in bench/fixtures/ as
 * JsSIP wrote it (see bench/fixtures/capture-jssip.ts); the SDP body is read from the shared
 * vectors (../shared/vectors/sdp/), which are not copied into this repository. Where the
 * fixtures come from: bench/README.md.
 */
export interface BenchMessage {
  /** short name used in tables and options */
  readonly id: string;
  readonly title: string;
  /** the whole message as it arrives in one WebSocket message or datagram */
  readonly bytes: Buffer;
  /** where the header section and the body come from */
  readonly origin: string;
}

interface FixtureSpec {
  id: string;
  title: string;
  /** header section file in bench/fixtures/, ending with the empty line */
  head: string;
  /** body, relative to the shared vectors directory */
  body?: string;
}

const SPECS: readonly FixtureSpec[] = [
  { id: 'register', title: 'REGISTER from JsSIP with digest Authorization', head: 'register-jssip.sip' },
  {
    id: 'invite',
    title: 'INVITE from JsSIP carrying a Chrome WebRTC offer',
    head: 'invite-jssip-chrome.sip',
    body: 'sdp/aiortc/audio_chrome.sdp',
  },
  {
    id: 'ok',
    title: '200 OK from JsSIP with 6 Vias and 5 Record-Routes, Chrome SDP',
    head: 'ok-invite-ims-stack.sip',
    body: 'sdp/sdp-transform/jssip.sdp',
  },
];

const FIXTURES = new URL('./fixtures/', import.meta.url);
/** ../shared/vectors relative to the repository root */
export const DEFAULT_VECTORS = new URL('../../shared/vectors/', import.meta.url);

/**
 * Loads every benchmark message. Throws (naming the file) when a fixture or vector is missing,
 * or when the Content-Length of the header section does not match the body: the benchmark must
 * never time a parser on a message that is wrong to begin with.
 */
export function loadMessages(vectors: URL = DEFAULT_VECTORS): BenchMessage[] {
  return SPECS.map((spec) => {
    const headPath = fileURLToPath(new URL(spec.head, FIXTURES));
    // Keep CRLF even if a checkout rewrote the fixture with LF line ends.
    const head = readFileSync(headPath, 'latin1').replace(/\r?\n/g, '\r\n');
    if (!head.endsWith('\r\n\r\n'))
      throw new Error(`${headPath}: header section must end with an empty line`);
    const bodyPath = spec.body === undefined ? undefined : fileURLToPath(new URL(spec.body, vectors));
    const body = bodyPath === undefined ? Buffer.alloc(0) : readFileSync(bodyPath);
    const declared = /\r\nContent-Length:[ \t]*(\d+)\r\n/i.exec(head)?.[1];
    if (declared === undefined || Number(declared) !== body.length)
      throw new Error(
        `${headPath}: Content-Length ${declared ?? '(missing)'} does not match the ${body.length}-octet body${
          bodyPath === undefined ? '' : ` of ${bodyPath}`
        }`,
      );
    const origin =
      spec.body === undefined
        ? `bench/fixtures/${spec.head}`
        : `bench/fixtures/${spec.head} + ../shared/vectors/${spec.body}`;
    return {
      id: spec.id,
      title: spec.title,
      bytes: Buffer.concat([Buffer.from(head, 'latin1'), body]),
      origin,
    };
  });
}
