/**
 * npm run sip:parse -- FILE [--stream]
 * Parses one SIP message from FILE (or '-' for stdin). Prints the parsed message as JSON and
 * exits 0, or prints the precise fault (status, code, header, line, reason) and exits 1.
 */
import { readFileSync } from 'node:fs';
import { parseMessage, validateHeaders } from '../sip/index.ts';
import { describeFault, describeMessage } from '../sip/tools/describe.ts';

function main(argv: string[]): number {
  const args = argv.filter((a) => !a.startsWith('--'));
  const stream = argv.includes('--stream');
  const file = args[0];
  if (file === undefined || argv.includes('--help')) {
    process.stderr.write('usage: npm run sip:parse -- FILE|- [--stream]\n');
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (e) {
    process.stderr.write(`sip:parse: cannot read ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const r = parseMessage(bytes, { framing: stream ? 'stream' : 'datagram' });
  if (!r.ok) {
    process.stdout.write(`${JSON.stringify({ ok: false, fault: describeFault(r.fault) }, null, 2)}\n`);
    process.stderr.write(`sip:parse: ${file}: ${r.fault.reason}\n`);
    return 1;
  }
  const faults = validateHeaders(r.message);
  if (faults.length > 0) {
    const fault = { status: r.message.kind === 'request' ? 400 : null, code: 'header-value', ...faults[0] };
    process.stdout.write(
      `${JSON.stringify({ ok: false, fault, message: describeMessage(r.message) }, null, 2)}\n`,
    );
    process.stderr.write(`sip:parse: ${file}: ${faults[0]!.header}: ${faults[0]!.reason}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify({ ok: true, message: describeMessage(r.message) }, null, 2)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
