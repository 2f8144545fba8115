import { isToken, isWs } from '../grammar/chars.ts';
import { checkUri } from '../uri/uri.ts';
import type { ParseFault } from './parse-fault.ts';

export type StartLine =
  | { kind: 'request'; method: string; uri: string; version: string }
  | { kind: 'response'; status: number; reason: string; version: string };

const VERSION_RE = /^SIP\/(\d+)\.(\d+)$/i;

/**
 * Request-Line = Method SP Request-URI SP SIP-Version CRLF
 * Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase CRLF     (RFC 3261 §7.1, §7.2)
 * Exactly one SP separates the elements: extra or trailing SP is rejected (RFC 4475 §3.1.2.9,
 * §3.1.2.10), as is a Request-URI in <> (§3.1.2.7) or with escaped headers (§3.1.2.11).
 */
export function parseStartLine(line: string): StartLine | ParseFault {
  if (line.length === 0) return { code: 'empty', status: null, reason: 'empty start line', line: 1 };
  const lf = line.indexOf('\n');
  if (lf >= 0)
    return {
      code: 'start-line',
      status: line.startsWith('SIP/') ? null : 400,
      reason: 'line ends with a bare LF: SIP lines end with CRLF (RFC 3261 §7)',
      line: 1,
      column: lf + 1,
    };
  if (isStatusLine(line)) return parseStatusLine(line);
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 < 0 || sp2 < 0) return bad('start-line', 'request line does not have three elements', 1);
  const method = line.slice(0, sp1);
  const uri = line.slice(sp1 + 1, sp2);
  if (!isToken(method)) return bad('start-line', `method '${method}' is not a token`, 1);
  // The version as every implementation writes it is recognised without slicing it out or a regex.
  const exact = line.length - sp2 === 8 && line.endsWith('SIP/2.0');
  const version = exact ? 'SIP/2.0' : line.slice(sp2 + 1);
  if (uri.length === 0 || version.indexOf(' ') >= 0 || version.indexOf('\t') >= 0 || version.length === 0)
    return spacingFault(line, sp1);
  if (uri.charCodeAt(0) === 0x3c)
    return bad('request-uri', 'Request-URI must not be enclosed in <>', sp1 + 2);
  if (!exact) {
    const v = VERSION_RE.exec(version);
    if (v === null) {
      return uri.indexOf('\t') >= 0 || /\s/.test(uri)
        ? bad('start-line', 'whitespace inside the Request-URI', sp1 + 2)
        : bad('start-line', `'${version}' is not a SIP version`, sp2 + 2);
    }
    if (v[1] !== '2' || v[2] !== '0')
      return {
        code: 'version',
        status: 505,
        reason: `SIP version ${version} is not supported`,
        line: 1,
        column: sp2 + 2,
      };
  }
  const checked = checkUri(uri);
  if (typeof checked === 'string') return bad('request-uri', `Request-URI: ${checked}`, sp1 + 2);
  if (checked) return bad('request-uri', 'Request-URI must not contain headers (RFC 3261 §19.1.1)', sp1 + 2);
  return { kind: 'request', method, uri, version: 'SIP/2.0' };
}

/** A line starting "S" then "IP/" in any case is a status line (/^SIP\//i after an upper-case S). */
function isStatusLine(line: string): boolean {
  return (
    line.charCodeAt(0) === 0x53 &&
    (line.charCodeAt(1) | 0x20) === 0x69 &&
    (line.charCodeAt(2) | 0x20) === 0x70 &&
    line.charCodeAt(3) === 0x2f
  );
}

function parseStatusLine(line: string): StartLine | ParseFault {
  const sp1 = line.indexOf(' ');
  if (sp1 !== 7 || !line.startsWith('SIP/2.0')) {
    const version = sp1 < 0 ? line : line.slice(0, sp1);
    const v = VERSION_RE.exec(version);
    if (v === null) return drop('start-line', `'${version}' is not a SIP version`);
    if (v[1] !== '2' || v[2] !== '0') return drop('version', `SIP version ${version} is not supported`);
  }
  let status = 0;
  for (let k = sp1 + 1; k < sp1 + 4; k++) {
    const c = line.charCodeAt(k);
    if (!(c >= 0x30 && c <= 0x39)) return drop('status-code', 'status code is not three digits');
    status = status * 10 + (c - 0x30);
  }
  if (line.length > sp1 + 4 && line.charCodeAt(sp1 + 4) !== 0x20)
    return drop('status-code', 'status code is not three digits');
  if (status < 100 || status > 699) return drop('status-code', `status code ${status} is outside 100-699`);
  if (line.length === sp1 + 4) return drop('start-line', 'status line lacks the SP before the reason phrase');
  return { kind: 'response', status, reason: line.slice(sp1 + 5), version: 'SIP/2.0' };
}

/** Says which of RFC 4475 §3.1.2.8 (LWS in the URI), §3.1.2.9 (extra SP), §3.1.2.10 (trailing SP) applies. */
function spacingFault(line: string, sp1: number): ParseFault {
  let end = line.length;
  while (end > 0 && isWs(line.charCodeAt(end - 1))) end--;
  if (end < line.length) return bad('start-line', 'whitespace at the end of the request line', end + 1);
  if (isWs(line.charCodeAt(sp1 + 1)))
    return bad('start-line', 'more than one SP between the method and the Request-URI', sp1 + 2);
  const last = line.lastIndexOf(' ');
  if (isWs(line.charCodeAt(last - 1)))
    return bad('start-line', 'more than one SP between the Request-URI and the SIP version', last);
  if (VERSION_RE.test(line.slice(last + 1)))
    return bad('request-uri', 'whitespace inside the Request-URI', sp1 + 2);
  return bad('start-line', 'request line elements must be separated by exactly one SP', sp1 + 2);
}

function bad(code: ParseFault['code'], reason: string, column?: number): ParseFault {
  return column === undefined
    ? { code, status: 400, reason, line: 1 }
    : { code, status: 400, reason, line: 1, column };
}

function drop(code: ParseFault['code'], reason: string): ParseFault {
  return { code, status: null, reason, line: 1 };
}

export function isFault(x: StartLine | ParseFault): x is ParseFault {
  return 'code' in x;
}
