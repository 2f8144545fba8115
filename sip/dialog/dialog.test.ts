import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/message.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { parseUri } from '../uri/uri.ts';
import { dialogAsUac, dialogAsUas } from './create-dialog.ts';
import type { Dialog } from './dialog.ts';
import { dialogIdOfRequest, dialogIdOfResponse, dialogKey } from './dialog-id.ts';
import { nextHopDestination } from './next-hop.ts';

function parse(text: string) {
  const r = parseMessage(Buffer.from(text.replace(/\n/g, '\r\n')), { framing: 'datagram' });
  if (!r.ok) throw new Error(r.fault.reason);
  return r.message;
}

const SUBSCRIBE = parse(`SUBSCRIBE sip:alice@ims.lab SIP/2.0
Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bK-s1
Max-Forwards: 70
Record-Route: <sip:rr1.ims.lab;lr>
Record-Route: <sip:rr2.ims.lab;lr>
From: <sip:pcscf.ims.lab>;tag=sub-1
To: <sip:alice@ims.lab>
Call-ID: reg-sub-1@192.0.2.5
CSeq: 17 SUBSCRIBE
Contact: <sip:pcscf@192.0.2.5:5060>
Event: reg
Expires: 600
Content-Length: 0

`) as SipRequest;

const OK = parse(`SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bK-s1
Record-Route: <sip:rr1.ims.lab;lr>
Record-Route: <sip:rr2.ims.lab;lr>
From: <sip:pcscf.ims.lab>;tag=sub-1
To: <sip:alice@ims.lab>;tag=core-9
Call-ID: reg-sub-1@192.0.2.5
CSeq: 17 SUBSCRIBE
Contact: <sip:scscf@192.0.2.9:5070;transport=tcp>
Expires: 600
Content-Length: 0

`) as SipResponse;

function must(d: Dialog | string): Dialog {
  if (typeof d === 'string') throw new Error(d);
  return d;
}

describe('dialogs (RFC 3261 §12)', () => {
  it('[RFC3261-12.1.1-uas-dialog] a UAS takes the route set from Record-Route in order, the remote target from Contact and the remote CSeq', () => {
    const d = must(
      dialogAsUas(SUBSCRIBE, { localTag: 'core-9', localContact: '<sip:scscf@192.0.2.9:5070>' }),
    );
    expect(d.routeSet).toEqual(['<sip:rr1.ims.lab;lr>', '<sip:rr2.ims.lab;lr>']);
    expect(d.remoteTarget).toBe('sip:pcscf@192.0.2.5:5060');
    expect(d.remoteSeq).toBe(17);
    expect(d.localSeq).toBeUndefined();
    expect(d.id).toEqual({ callId: 'reg-sub-1@192.0.2.5', localTag: 'core-9', remoteTag: 'sub-1' });
  });

  it('[RFC3261-12.1.2-uac-dialog] a UAC takes the route set from the response Record-Route reversed and keeps its CSeq', () => {
    const d = must(dialogAsUac(SUBSCRIBE, OK, '<sip:pcscf@192.0.2.5:5060>'));
    expect(d.routeSet).toEqual(['<sip:rr2.ims.lab;lr>', '<sip:rr1.ims.lab;lr>']);
    expect(d.remoteTarget).toBe('sip:scscf@192.0.2.9:5070;transport=tcp');
    expect(d.localSeq).toBe(17);
    expect(d.remoteSeq).toBeUndefined();
    expect(d.id).toEqual({ callId: 'reg-sub-1@192.0.2.5', localTag: 'sub-1', remoteTag: 'core-9' });
    expect(dialogKey(dialogIdOfResponse(OK)!)).toBe(dialogKey(d.id));
    expect(dialogAsUac(SUBSCRIBE, parse(RINGING_WITHOUT_TAG) as SipResponse, '<sip:x@y>')).toBe(
      'the response has no To tag',
    );
  });

  it('[RFC3261-12.2.1.1-in-dialog-request] builds in-dialog requests: R-URI = remote target, Route = route set, tags, next CSeq, Contact', () => {
    const notifier = must(
      dialogAsUas(SUBSCRIBE, { localTag: 'core-9', localContact: '<sip:scscf@192.0.2.9:5070>' }),
    );
    const n1 = notifier.createRequest('NOTIFY', {
      via: 'SIP/2.0/UDP 192.0.2.9:5070',
      headers: [['Event', 'reg']],
    });
    expect(n1.uri).toBe('sip:pcscf@192.0.2.5:5060');
    expect(n1.headers.values('route')).toEqual(['<sip:rr1.ims.lab;lr>', '<sip:rr2.ims.lab;lr>']);
    expect(n1.from.params.value('tag')).toBe('core-9');
    expect(n1.to.params.value('tag')).toBe('sub-1');
    expect(n1.callId).toBe('reg-sub-1@192.0.2.5');
    expect(n1.cseq).toEqual({ seq: 1, method: 'NOTIFY' });
    expect(n1.headers.get('contact')).toBe('<sip:scscf@192.0.2.9:5070>');
    expect(n1.headers.get('event')).toBe('reg');
    expect(notifier.createRequest('NOTIFY', { via: 'SIP/2.0/UDP 192.0.2.9:5070' }).cseq.seq).toBe(2);
    // The subscriber matches the NOTIFY to its dialog: To tag = its local tag.
    const subscriber = must(dialogAsUac(SUBSCRIBE, OK, '<sip:pcscf@192.0.2.5:5060>'));
    expect(dialogKey(dialogIdOfRequest(n1)!)).toBe(dialogKey(subscriber.id));
    expect(subscriber.createRequest('SUBSCRIBE', { via: 'SIP/2.0/UDP 192.0.2.5' }).cseq.seq).toBe(18);
    expect(() => subscriber.createRequest('ACK', { via: 'SIP/2.0/UDP 192.0.2.5' })).toThrow(TypeError);
  });

  it('[RFC3261-12.2.1.1-strict-route] with a strict first route, that route becomes the Request-URI and the remote target the last Route', () => {
    const req = parse(SUBSCRIBE_TEXT.replace('<sip:rr1.ims.lab;lr>', '<sip:strict.ims.lab>')) as SipRequest;
    const d = must(dialogAsUas(req, { localTag: 't', localContact: '<sip:me@192.0.2.9>' }));
    const r = d.createRequest('NOTIFY', { via: 'SIP/2.0/UDP 192.0.2.9' });
    expect(r.uri).toBe('sip:strict.ims.lab');
    expect(r.headers.values('route')).toEqual(['<sip:rr2.ims.lab;lr>', '<sip:pcscf@192.0.2.5:5060>']);
    expect(d.nextHop()).toMatchObject({ host: 'strict.ims.lab' });
  });

  it('[RFC3261-12.2.2-cseq-order] answers 500 to a request with a lower CSeq and takes a new remote target from a refresh', () => {
    const d = must(dialogAsUac(SUBSCRIBE, OK, '<sip:pcscf@192.0.2.5:5060>'));
    const notify = (seq: number, contact: string) =>
      parse(
        `NOTIFY sip:pcscf@192.0.2.5:5060 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK-n${seq}\nMax-Forwards: 70\nFrom: <sip:alice@ims.lab>;tag=core-9\nTo: <sip:pcscf.ims.lab>;tag=sub-1\nCall-ID: reg-sub-1@192.0.2.5\nCSeq: ${seq} NOTIFY\nContact: ${contact}\nEvent: reg\nContent-Length: 0\n\n`,
      ) as SipRequest;
    expect(d.receiveRequest(notify(5, '<sip:scscf@192.0.2.77:5070>'))).toBeUndefined();
    expect(d.remoteSeq).toBe(5);
    expect(d.remoteTarget).toBe('sip:scscf@192.0.2.77:5070');
    expect(d.receiveRequest(notify(4, '<sip:x@192.0.2.1>'))?.status).toBe(500);
    expect(d.remoteTarget).toBe('sip:scscf@192.0.2.77:5070');
  });

  it('[RFC3263-4-next-hop] sends to the transport parameter, TLS for sips, the default port, no DNS', () => {
    const dest = (u: string) => {
      const p = parseUri(u);
      if (!p.ok) throw new Error(p.reason);
      return nextHopDestination(p.uri);
    };
    expect(dest('sip:pcscf@192.0.2.5:5062;transport=tcp;lr')).toEqual({
      protocol: 'tcp',
      address: '192.0.2.5',
      port: 5062,
    });
    expect(dest('sip:192.0.2.5')).toEqual({ protocol: 'udp', address: '192.0.2.5', port: 5060 });
    expect(dest('sips:[2001:db8::1]')).toEqual({ protocol: 'tls', address: '2001:db8::1', port: 5061 });
    expect(dest('tel:+15550100')).toMatch(/cannot be a next hop/);
    expect(dest('sip:a@b;transport=sctp')).toMatch(/not supported/);
  });
});

const SUBSCRIBE_TEXT = `SUBSCRIBE sip:alice@ims.lab SIP/2.0
Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bK-s2
Max-Forwards: 70
Record-Route: <sip:rr1.ims.lab;lr>
Record-Route: <sip:rr2.ims.lab;lr>
From: <sip:pcscf.ims.lab>;tag=sub-1
To: <sip:alice@ims.lab>
Call-ID: reg-sub-2@192.0.2.5
CSeq: 1 SUBSCRIBE
Contact: <sip:pcscf@192.0.2.5:5060>
Event: reg
Content-Length: 0

`;

const RINGING_WITHOUT_TAG = `SIP/2.0 180 Ringing
Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bK-s1
From: <sip:pcscf.ims.lab>;tag=sub-1
To: <sip:alice@ims.lab>
Call-ID: reg-sub-1@192.0.2.5
CSeq: 17 SUBSCRIBE
Contact: <sip:scscf@192.0.2.9:5070>
Content-Length: 0

`;
