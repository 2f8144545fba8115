/**
 * Reading sipp's message trace (`-trace_msg`, in `SippResult.messages`): the messages sipp
 * received, to assert on what an IMS-side user got from the core.
 */

/** The first message of this method sipp logged as received (`-trace_msg`), start line first. */
export function receivedBySipp(log: string, method: string): string {
  for (const block of log.split(/^-{10,}.*$/m)) {
    if (!/message received/.test(block)) continue;
    const text = block.replace(/^[\s\S]*?message received[^\n]*\n+/, '');
    if (text.startsWith(`${method} `)) return text;
  }
  return '';
}

/** The values of a header in a logged message, comma-separated name-addr values split. */
export function headerValues(message: string, name: string): string[] {
  const head = message.split(/\r?\n\r?\n/)[0] ?? '';
  return head
    .split(/\r?\n/)
    .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .flatMap((l) => l.slice(name.length + 1).split(/,(?=\s*<)/))
    .map((v) => v.trim());
}

/** The body of a logged message (after the blank line), trimmed. */
export function bodyOf(message: string): string {
  const i = message.search(/\r?\n\r?\n/);
  return i < 0 ? '' : message.slice(i).trim();
}
