import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMessage, type SipRequest } from '../../sip/index.ts';
import { CallClient, offerTemplate, webrtcAnswerProblem } from './call-client.ts';
import { type CallResponseFacts, readCallResponse } from './call-reader.ts';
import { RegisterClient } from './register-client.ts';

/**
 * The benchmark's caller: what it sends must be what JsSIP sends for a call (INVITE with a
 * Chrome offer, ACK and BYE along the route set of the 2xx), and it must count as failed every
 * call a user would see fail (a refusal, an answer a browser cannot use).
 */

const CHROME = readFileSync(
  new URL('../../../shared/vectors/sdp/aiortc/audio_chrome.sdp', import.meta.url),
  'latin1',
);

/** What rtpengine answers toward a browser (a real answer of the smoke run, shortened). */
const WEBRTC_ANSWER = [
  'v=0',
  'o=sipp 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 61016 UDP/TLS/RTP/SAVPF 8',
  'a=mid:audio',
  'a=rtpmap:8 PCMA/8000',
  'a=rtcp-mux',
  'a=setup:active',
  'a=fingerprint:sha-256 63:E2:03:DD:C2:B1:87:26:06:85:71:20:DE:2A:7B:53:B9:B7:7F:1C:2C:B6:F2:CD:22:FE:33:7C:2C:E3:3E:AB',
  'a=ice-ufrag:5VGMgDfs',
  'a=ice-pwd:XSEiNPh7wvYlYGXKRAPgNX7aaG',
  'a=candidate:ZVZNzmYcLIfBaKKP 1 UDP 2130706431 127.0.0.1 61016 typ host',
  '',
].join('\r\n');
const IMS_ANSWER =
  'v=0\r\no=sipp 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n';

function parseRequest(text: string): SipRequest {
  const r = parseMessage(Buffer.from(text, 'latin1'), { framing: 'datagram' });
  if (!r.ok) throw new Error(r.fault.reason);
  if (r.message.kind !== 'request') throw new Error('not a request');
  return r.message;
}

function caller(): { reg: RegisterClient; call: CallClient } {
  const reg = new RegisterClient({ index: 4, domain: 'ims.test', transport: 'WS' });
  const call = new CallClient(
    { user: reg.user, domain: 'ims.test', sentBy: reg.sentBy, contactUri: reg.contactUri, transport: 'WS' },
    'sip:callee@ims.test',
    offerTemplate(CHROME, '127.0.0.5'),
    '1000004',
  );
  return { reg, call };
}

/** A response to `req` as the P-CSCF hands it to the client. */
function respond(req: SipRequest, status: string, extra: string[], body = ''): CallResponseFacts {
  const text = [
    `SIP/2.0 ${status}`,
    `Via: ${req.headers.get('via')}`,
    `From: ${req.headers.get('from')}`,
    `To: ${req.headers.get('to')}${status.startsWith('100') ? '' : ';tag=sipp-1'}`,
    `Call-ID: ${req.callId}`,
    `CSeq: ${req.cseq.seq} ${req.cseq.method}`,
    ...extra,
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
  const facts = readCallResponse(text);
  if (typeof facts === 'string') throw new Error(facts);
  return facts;
}

const OK_HEADERS = [
  'Record-Route: <sip:core@127.0.0.1:5070;lr>',
  'Record-Route: <sip:tok@127.0.0.1:5080;lr;r2=on>, <sip:tok@127.0.0.1:8080;transport=ws;lr;r2=on>',
  'Contact: <sip:callee@127.0.0.1:6060;transport=UDP>',
  'Content-Type: application/sdp',
];

describe('bench call client', () => {
  it('[DESIGN-speed-calls_client] sends an INVITE shaped like JsSIP with a Chrome offer on the client address and a unique o= session id per call', () => {
    const { reg, call } = caller();
    const first = parseRequest(call.invite(0));
    expect(first.method).toBe('INVITE');
    expect(first.uri).toBe('sip:callee@ims.test');
    expect(first.headers.get('via')).toMatch(/^SIP\/2\.0\/WS [0-9a-f]+\.invalid;branch=z9hG4bK\w+$/);
    expect(first.headers.get('from')).toMatch(new RegExp(`^<sip:${reg.user}@ims\\.test>;tag=\\w+$`));
    expect(first.headers.get('contact')).toBe(`<${reg.contactUri};ob>`);
    expect(first.headers.get('content-type')).toBe('application/sdp');
    const sdp = first.body.toString('latin1');
    expect(Number(first.headers.get('content-length'))).toBe(first.body.length);
    expect(sdp).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m);
    expect(sdp).toContain('c=IN IP4 127.0.0.5\r\n');
    expect(sdp).toContain('a=fingerprint:sha-256 ');
    const candidates = sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
    expect(candidates.length).toBe(2);
    for (const c of candidates) expect(c.split(' ')[4]).toBe('127.0.0.5');
    expect(sdp).not.toContain('192.168.99.58');
    call.abandon();
    const second = parseRequest(call.invite(1));
    const origin = (r: SipRequest): string => /^o=.*$/m.exec(r.body.toString('latin1'))?.[0] ?? '';
    expect(origin(second)).not.toBe(origin(first));
    expect(second.callId).not.toBe(first.callId);
  });

  it('[DESIGN-speed-calls_client] ACKs the 2xx and sends the BYE along the reversed Record-Route to the Contact, and times setup and teardown', () => {
    const { call } = caller();
    const invite = parseRequest(call.invite(100));
    expect(call.receive(respond(invite, '100 Trying', []), 101)).toBeUndefined();
    expect(call.receive(respond(invite, '180 Ringing', []), 103)).toBeUndefined();
    const answered = call.receive(respond(invite, '200 OK', OK_HEADERS, WEBRTC_ANSWER), 112.5);
    if (answered?.kind !== 'answered') throw new Error(`expected answered, got ${answered?.kind}`);
    expect(answered.setupMs).toBe(12.5);
    expect(answered.problem).toBeUndefined();
    const ack = parseRequest(answered.ack);
    expect(ack.method).toBe('ACK');
    expect(ack.uri).toBe('sip:callee@127.0.0.1:6060;transport=UDP');
    expect(ack.headers.values('route')).toEqual([
      '<sip:tok@127.0.0.1:8080;transport=ws;lr;r2=on>',
      '<sip:tok@127.0.0.1:5080;lr;r2=on>',
      '<sip:core@127.0.0.1:5070;lr>',
    ]);
    expect(ack.headers.get('to')).toBe('<sip:callee@ims.test>;tag=sipp-1');
    expect(ack.cseq).toMatchObject({ seq: invite.cseq.seq, method: 'ACK' });
    const bye = parseRequest(call.bye(300));
    expect(bye.method).toBe('BYE');
    expect(bye.uri).toBe(ack.uri);
    expect(bye.headers.values('route')).toEqual(ack.headers.values('route'));
    expect(bye.cseq).toMatchObject({ seq: invite.cseq.seq + 1, method: 'BYE' });
    expect(bye.headers.get('via')).not.toBe(invite.headers.get('via'));
    expect(call.receive(respond(bye, '200 OK', []), 302)).toEqual({ kind: 'ended', teardownMs: 2 });
    expect(call.phase).toBe('idle');
  });

  it('[DESIGN-speed-calls_verdict] counts a refused INVITE, a refused BYE and an answer a browser cannot use as failed calls', () => {
    const { call } = caller();
    const invite = parseRequest(call.invite(0));
    const refused = call.receive(respond(invite, '486 Busy Here', []), 5);
    if (refused?.kind !== 'failed') throw new Error(`expected failed, got ${refused?.kind}`);
    expect(refused.reason).toBe('486 to the INVITE');
    // RFC 3261 §17.1.1.3: the ACK of a non-2xx has the INVITE's branch and CSeq number.
    const ack = parseRequest(refused.ack ?? '');
    expect(ack.headers.get('via')).toBe(invite.headers.get('via'));
    expect(ack.cseq).toMatchObject({ seq: invite.cseq.seq, method: 'ACK' });

    const again = parseRequest(call.invite(10));
    const plain = call.receive(respond(again, '200 OK', OK_HEADERS, IMS_ANSWER), 20);
    expect(plain).toMatchObject({ kind: 'answered', problem: 'audio not UDP/TLS/RTP/SAVPF' });
    expect(call.problem).toBe('audio not UDP/TLS/RTP/SAVPF');
    // A retransmitted 2xx is ACKed again.
    expect(call.receive(respond(again, '200 OK', OK_HEADERS, IMS_ANSWER), 25)).toMatchObject({
      kind: 'ack-again',
    });
    const bye = parseRequest(call.bye(30));
    expect(call.receive(respond(bye, '481 Call Does Not Exist', []), 31)).toEqual({
      kind: 'failed',
      reason: '481 to the BYE',
    });
    // A response for another call is not this call's.
    const third = parseRequest(call.invite(40));
    const stale = respond(invite, '200 OK', OK_HEADERS, WEBRTC_ANSWER);
    expect(call.receive(stale, 41)).toBeUndefined();
    expect(call.receive(respond(third, '200 OK', OK_HEADERS, WEBRTC_ANSWER), 42)).toMatchObject({
      kind: 'answered',
    });
  });

  it('[DESIGN-speed-calls_client] ends with ACK and BYE a call answered after the caller gave up on it', () => {
    const { call } = caller();
    const invite = parseRequest(call.invite(0));
    call.abandon();
    expect(call.receive(respond(invite, '200 OK', OK_HEADERS, WEBRTC_ANSWER), 6000)).toBeUndefined();
    const late = call.hangUpLate(respond(invite, '200 OK', OK_HEADERS, WEBRTC_ANSWER), 6000) ?? [];
    expect(late.map((t) => parseRequest(t).method)).toEqual(['ACK', 'BYE']);
    const bye = parseRequest(late[1] ?? '');
    expect(bye.uri).toBe('sip:callee@127.0.0.1:6060;transport=UDP');
    expect(bye.headers.values('route')[0]).toBe('<sip:tok@127.0.0.1:8080;transport=ws;lr;r2=on>');
    // Its retransmission is ACKed once more, without a second BYE; a refusal needs nothing.
    const again = call.hangUpLate(respond(invite, '200 OK', OK_HEADERS, WEBRTC_ANSWER), 6500) ?? [];
    expect(again.map((t) => parseRequest(t).method)).toEqual(['ACK']);
    expect(call.hangUpLate(respond(invite, '486 Busy Here', []), 6600)).toBeUndefined();
  });

  it('[DESIGN-speed-calls_verdict] accepts only SAVPF answers with ICE and DTLS and without SDES', () => {
    expect(webrtcAnswerProblem(WEBRTC_ANSWER)).toBeUndefined();
    expect(webrtcAnswerProblem('')).toBe('no SDP');
    expect(webrtcAnswerProblem(IMS_ANSWER)).toBe('audio not UDP/TLS/RTP/SAVPF');
    expect(webrtcAnswerProblem(WEBRTC_ANSWER.replace(/a=fingerprint:[^\r]*\r\n/, ''))).toBe(
      'no a=fingerprint',
    );
    expect(webrtcAnswerProblem(WEBRTC_ANSWER.replace(/a=candidate:[^\r]*\r\n/, ''))).toBe('no a=candidate');
    expect(webrtcAnswerProblem(WEBRTC_ANSWER.replace('a=setup:active', 'a=setup:actpass'))).toBe(
      'no a=setup:active|passive',
    );
    expect(webrtcAnswerProblem(`${WEBRTC_ANSWER}a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc\r\n`)).toBe(
      'SDES a=crypto offered to a browser',
    );
  });

  it('[DESIGN-speed-calls_client] reads Record-Route entries from several header lines and comma lists, and compact headers', () => {
    const facts = readCallResponse(
      'SIP/2.0 200 OK\r\nv: SIP/2.0/WS x.invalid;branch=z9hG4bKa\r\ni: abc\r\nCSeq: 7 INVITE\r\n' +
        't: <sip:b@x>;tag=t1\r\nm: "B, the callee" <sip:b@10.0.0.1>;expires=5\r\n' +
        'Record-Route: <sip:p1;lr>, "name, with comma" <sip:p2;lr>\r\nRecord-Route: <sip:p3;lr>\r\n' +
        'Content-Length: 3\r\n\r\nabc',
    );
    expect(facts).toEqual({
      status: 200,
      callId: 'abc',
      cseq: 7,
      method: 'INVITE',
      toTag: 't1',
      recordRoutes: ['<sip:p1;lr>', '"name, with comma" <sip:p2;lr>', '<sip:p3;lr>'],
      contact: 'sip:b@10.0.0.1',
      body: 'abc',
    });
    expect(readCallResponse('BYE sip:a SIP/2.0\r\n\r\n')).toMatch(/^not a response/);
  });
});
