/**
 * Reading SDP text line by line in place, without splitting it (the SDP check and the payload
 * renumbering run on every offer and answer of a call). A line ends at LF, and a CR right before
 * that LF is not part of it; any other CR is.
 */

/** Where the line starting at `at` ends; `stop` (default: the end of the text) when no LF comes before it. */
export function lineEnd(sdp: string, at: number, stop = sdp.length): number {
  const nl = sdp.indexOf('\n', at);
  if (nl < 0 || nl >= stop) return stop;
  return nl > at && sdp.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
}

/** Where the line after the one ending at `end` (see lineEnd) starts. */
export function nextLine(sdp: string, end: number): number {
  return sdp.charCodeAt(end) === 0x0d ? end + 2 : end + 1;
}
