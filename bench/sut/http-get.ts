/**
 * GET over HTTP or HTTPS on loopback for the benchmark's probes (/healthz, /metrics of the
 * product). HTTPS trusts any certificate: the benchmark's own is self-signed (tls-cert.ts).
 */
import { get as getHttp } from 'node:http';
import { get as getHttps } from 'node:https';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export function httpGet(url: string, timeoutMs = 5000): Promise<HttpAnswer> {
  const secure = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const req = (secure ? getHttps : getHttp)(
      url,
      { timeout: timeoutMs, ...(secure ? { rejectUnauthorized: false } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}
