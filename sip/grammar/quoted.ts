/**
 * quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE   (RFC 3261 §25.1)
 * quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
 */

export interface QuotedScan {
  /** index just after the closing DQUOTE */
  end: number;
  /** the unescaped content */
  value: string;
}

/**
 * Scans a quoted string starting at s[start] === '"'. Returns undefined when it is not
 * terminated or a quoted-pair escapes CR/LF.
 */
export function scanQuoted(s: string, start: number): QuotedScan | undefined {
  let out = '';
  let runStart = start + 1;
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      out += s.slice(runStart, i);
      return { end: i + 1, value: out };
    }
    if (c === 0x5c) {
      const n = s.charCodeAt(i + 1);
      if (Number.isNaN(n) || n === 0x0a || n === 0x0d) return undefined;
      out += s.slice(runStart, i) + s[i + 1];
      i++;
      runStart = i + 1;
    } else if (c === 0x0d || c === 0x0a) {
      return undefined;
    }
  }
  return undefined;
}

/** Produces a quoted-string for value, escaping '"' and '\'. */
export function quote(value: string): string {
  let needs = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) {
      needs = true;
      break;
    }
  }
  return needs ? `"${value.replace(/["\\]/g, '\\$&')}"` : `"${value}"`;
}

/**
 * Splits a header value on commas that are outside quoted strings and <...>, trimming each
 * element. Used for headers whose grammar is a comma-separated list (RFC 3261 §7.3.1).
 * Returns undefined when a quoted string is not terminated.
 */
export function splitList(value: string): string[] | undefined {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) {
      const q = scanQuoted(value, i);
      if (q === undefined) return undefined;
      i = q.end - 1;
    } else if (c === 0x3c) {
      angle = true;
    } else if (c === 0x3e) {
      angle = false;
    } else if (c === 0x2c && !angle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out;
}
