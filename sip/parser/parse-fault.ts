import type { SipRequest } from '../message/message.ts';

/**
 * Why a message could not be accepted, precise enough for an operator and for the reply:
 * `status` is the response a server sends for a faulty request (400, 505, 501), or null when
 * the message must be dropped without a reply (faulty responses, garbage; RFC 3261 §18.3).
 */
export type ParseFaultCode =
  | 'empty'
  | 'not-terminated'
  | 'start-line'
  | 'request-uri'
  | 'version'
  | 'status-code'
  | 'header-syntax'
  | 'header-value'
  | 'missing-header'
  | 'multiple-values'
  | 'content-length'
  | 'cseq-mismatch';

export interface ParseFault {
  code: ParseFaultCode;
  status: 400 | 501 | 505 | null;
  reason: string;
  /** header name (canonical) the fault is in, when it is in one */
  header?: string;
  /** 1-based line of the fault within the message, when known */
  line?: number;
  /** 1-based column, when known */
  column?: number;
  /**
   * The request as far as it could be parsed (for any request fault with a status, a faulty
   * request line included): a server uses it to build the error response (Via, From, To,
   * Call-ID, CSeq). Its method and URI are the raw request-line elements.
   */
  partial?: SipRequest;
}

export type ParseResult<M> = { ok: true; message: M } | { ok: false; fault: ParseFault };

/** A fault found before the status is known (it depends on whether the message is a request). */
export type PartialFault = Omit<ParseFault, 'status'> & { status?: ParseFault['status'] };
