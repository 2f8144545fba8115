/**
 * A raw SIP request over UDP, enough to probe a SIP peer (OPTIONS) and to drive a registrar in
 * smoke tests. Not a SIP stack: the product's own lives in sip/.
 */
import { randomBytes } from 'node:crypto';
import { udpExchange } from './probes.ts';

export interface RawSipRequest {
  readonly method: string;
  readonly requestUri: string;
  readonly from: string;
  readonly to: string;
  readonly callId?: string;
  readonly cseq?: number;
  /** Extra header lines without CRLF, e.g. `Contact: <sip:alice@127.0.0.1:5099>`; `{{LOCAL_PORT}}` is replaced. */
  readonly headers?: readonly string[];
}

export interface RawSipResponse {
  readonly status: number;
  readonly text: string;
  /** Values of a header (case-insensitive name), in order. */
  header(name: string): string[];
}

/** Sends one request from a fresh loopback port and returns its first final response. */
export async function sendSipUdp(
  host: string,
  port: number,
  request: RawSipRequest,
  timeoutMs = 1_000,
): Promise<RawSipResponse | undefined> {
  const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
  const callId = request.callId ?? randomBytes(8).toString('hex');
  const build = (localPort: number): Buffer => {
    const lines = [
      `${request.method} ${request.requestUri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: ${request.from};tag=${randomBytes(4).toString('hex')}`,
      `To: ${request.to}`,
      `Call-ID: ${callId}`,
      `CSeq: ${request.cseq ?? 1} ${request.method}`,
      ...(request.headers ?? []).map((h) => h.replaceAll('{{LOCAL_PORT}}', String(localPort))),
      'Content-Length: 0',
      '',
      '',
    ];
    return Buffer.from(lines.join('\r\n'));
  };
  const reply = await udpExchange(host, port, build, timeoutMs, (data) => {
    const status = statusOf(data.toString('utf8'));
    return status !== undefined && status >= 200;
  });
  return reply === undefined ? undefined : parseResponse(reply.data.toString('utf8'));
}

/** Readiness probe: any SIP response to an OPTIONS means the peer's SIP stack is up. */
export async function sipOptionsProbe(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  const response = await sendSipUdp(
    host,
    port,
    {
      method: 'OPTIONS',
      requestUri: `sip:${host}:${port}`,
      from: '<sip:probe@127.0.0.1>',
      to: `<sip:${host}>`,
    },
    timeoutMs,
  );
  return response !== undefined;
}

function statusOf(text: string): number | undefined {
  const match = /^SIP\/2\.0 (\d{3}) /.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function parseResponse(text: string): RawSipResponse | undefined {
  const status = statusOf(text);
  if (status === undefined) return undefined;
  const headerLines = text.split('\r\n\r\n', 1)[0]?.split('\r\n').slice(1) ?? [];
  return {
    status,
    text,
    header: (name) =>
      headerLines
        .map((line) => /^([^:\s]+)\s*:\s*(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null && m[1]?.toLowerCase() === name.toLowerCase())
        .map((m) => m[2] ?? ''),
  };
}
