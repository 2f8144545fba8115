/**
 * A copy of `s` that does not keep the text it was cut from alive. Values read from a parsed
 * message are slices of the whole message's text (V8 sliced strings point at their parent), so
 * anything kept after the message is gone (a completed transaction's key, a stored binding's
 * contact or Service-Route) must hold a copy, or it holds the whole message: about 800 bytes
 * per value instead of its own few dozen.
 */
export function flatString(s: string): string {
  return ` ${s}`.slice(1);
}
