import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree, PortAllocator } from '../harness/ports.ts';
import { tcpConnect } from '../harness/probes.ts';
import { groupAlive } from '../harness/process.ts';
import { type RawSipRequest, sendSipUdp, sipOptionsProbe } from '../harness/sip-probe.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type Kamailio, startKamailio } from './kamailio.ts';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** RFC 2617 digest response without qop (Kamailio's challenge here carries none). */
function digestAuthorization(
  user: string,
  password: string,
  realm: string,
  nonce: string,
  uri: string,
): string {
  const ha1 = md5(`${user}:${realm}:${password}`);
  const response = md5(`${ha1}:${nonce}:${md5(`REGISTER:${uri}`)}`);
  return `Authorization: Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
}

describe('kamailio peer (IMS-core stand-in)', () => {
  let ports: PortAllocator;
  let kamailio: Kamailio | undefined;
  printPeerOutputOnFailure(() => [kamailio]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
  });
  afterAll(async () => {
    await kamailio?.stop();
    await ports.close();
  });

  it('[HARNESS-kamailio-lifecycle] MUST start with ims-core.cfg on a free UDP+TCP port, challenge and accept a digest REGISTER with Service-Route, P-Associated-URI and Path stored, and leave no process or port behind on stop', async () => {
    const peer = await startKamailio({
      ports,
      subscribers: [{ username: 'alice', password: 'alice-secret' }],
    });
    kamailio = peer;
    expect(await sipOptionsProbe(peer.host, peer.sipPort)).toBe(true);
    expect(await tcpConnect(peer.host, peer.sipPort, 1_000)).toBe(true);

    const uri = `sip:${peer.domain}`;
    const register = (cseq: number, extra: readonly string[]): RawSipRequest => ({
      method: 'REGISTER',
      requestUri: uri,
      from: `<sip:alice@${peer.domain}>`,
      to: `<sip:alice@${peer.domain}>`,
      callId: `reg-${process.pid}`,
      cseq,
      headers: [
        'Contact: <sip:alice@127.0.0.1:{{LOCAL_PORT}}>',
        'Path: <sip:term@127.0.0.1:5999;lr>',
        'Supported: path',
        'Expires: 60',
        ...extra,
      ],
    });

    const challenge = await sendSipUdp(peer.host, peer.sipPort, register(1, []));
    expect(challenge?.status).toBe(401);
    const wwwAuth = challenge?.header('WWW-Authenticate')[0] ?? '';
    expect(wwwAuth).toMatch(new RegExp(`realm="${peer.domain.replace('.', '\\.')}"`));
    const nonce = /nonce="([^"]+)"/.exec(wwwAuth)?.[1] ?? '';

    const wrong = await sendSipUdp(
      peer.host,
      peer.sipPort,
      register(2, [digestAuthorization('alice', 'not-the-password', peer.domain, nonce, uri)]),
    );
    expect(wrong?.status).toBe(401);

    const ok = await sendSipUdp(
      peer.host,
      peer.sipPort,
      register(3, [digestAuthorization('alice', 'alice-secret', peer.domain, nonce, uri)]),
    );
    expect(ok?.status).toBe(200);
    expect(ok?.header('Service-Route')).toEqual([peer.serviceRoute]);
    expect(ok?.header('P-Associated-URI')).toEqual([`<sip:alice@${peer.domain}>`]);

    const dump = await peer.kamcmd('ul.dump');
    expect(dump).toMatch(/AoR: alice\b/);
    expect(dump).toContain('Path: <sip:term@127.0.0.1:5999;lr>');

    const status = await peer.stop();
    expect(status.code === 0 || status.signal === 'SIGTERM').toBe(true);
    expect(groupAlive(peer.process.pid)).toBe(false);
    expect(await isPortFree(peer.sipPort, 'both')).toBe(true);
  });
});
