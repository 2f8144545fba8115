/**
 * Types for the parts of the comparison parsers the benchmark calls that ship without
 * declarations: the npm `sip` package (0.0.6) and JsSIP's internal Parser module. Only the
 * fields the benchmark reads are declared; everything else stays `unknown`.
 */

declare module 'sip' {
  export type NpmSipParams = Record<string, string | null | undefined>;
  export interface NpmSipMessage {
    method?: string;
    status?: number;
    headers: {
      'call-id'?: string;
      cseq?: { seq: number; method: string };
      via?: Array<{ params: NpmSipParams }>;
      from?: { params: NpmSipParams };
      [name: string]: unknown;
    };
    content?: string;
  }
  interface NpmSip {
    /** Parses one whole message (a Buffer is read as 'binary', i.e. latin1). */
    parse(data: Buffer | string): NpmSipMessage | undefined;
    /** Writes the message back as a string, rebuilding every parsed header. */
    stringify(m: NpmSipMessage): string;
  }
  const sip: NpmSip;
  export default sip;
}

declare module 'jssip/lib/Parser.js' {
  export interface JsSipIncomingMessage {
    method?: string;
    status_code?: number;
    call_id: string;
    cseq: number;
    via_branch: string;
    from_tag: string;
    body: string;
    /** The received text, unchanged. */
    toString(): string;
  }
  interface JsSipParser {
    /** `ua` is only stored on requests; the parser itself does not use it. */
    parseMessage(data: string, ua: undefined): JsSipIncomingMessage | undefined;
  }
  const parser: JsSipParser;
  export default parser;
}
