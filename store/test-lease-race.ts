/**
 * Test helper run as a child process (`node --import tsx store/test-lease-race.ts <file> <name> <tries>`):
 * opens the SQLite directory on `file`, says `ready`, waits for `go` on IPC, then leases
 * `tries` pool identities of ims.lab as fast as it can and sends back the IMPUs it got.
 */

import { openSqliteDirectory } from './sqlite-directory.ts';

const [file = '', name = 'child', tries = '0'] = process.argv.slice(2);
const dir = await openSqliteDirectory({ file });
const send = (message: unknown): void => {
  process.send?.(message);
};
process.once('message', async () => {
  const got: string[] = [];
  for (let i = 0; i < Number(tries); i++) {
    const lease = await dir.leasePoolIdentity('ims.lab', `${name}-${i}`, 60_000, 1_000);
    if (lease !== undefined) got.push(lease.credential.impu);
  }
  await dir.close();
  send({ got });
  process.disconnect?.();
});
send('ready');
