/**
 * A self-signed certificate for the WSS measurements (openssl), in a temp dir removed on stop
 * or at exit. Both systems under test serve WSS with it; the load generator does not verify it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createTempDir, requireBinary } from '../../conformance/harness/index.ts';

export interface TlsFiles {
  readonly keyFile: string;
  readonly certFile: string;
  remove(): void;
}

export function createSelfSignedCert(host: string): TlsFiles {
  const openssl = requireBinary({ name: 'openssl', debianPackage: 'openssl' });
  const dir = createTempDir('bench-tls');
  const keyFile = join(dir.path, 'key.pem');
  const certFile = join(dir.path, 'cert.pem');
  try {
    execFileSync(
      openssl,
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        `/CN=${host}`,
        '-addext',
        `subjectAltName=IP:${host}`,
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    dir.remove();
    throw err;
  }
  return { keyFile, certFile, remove: () => dir.remove() };
}
