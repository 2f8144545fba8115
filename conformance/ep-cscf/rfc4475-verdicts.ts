/**
 * What RFC 4475 asks of the eP-CSCF for each torture message (../shared/vectors/rfc4475, see
 * its INDEX.md), on each side:
 *
 * - over WebSocket the eP-CSCF is the edge proxy of an unregistered client: a well-formed
 *   request reaches its policy, which answers 403 (not registered on this flow), and a
 *   well-formed REGISTER is forwarded to the core (whose 401 comes back);
 * - over UDP on the Mw port it is a proxy receiving from the core: a well-formed request that
 *   names no flow reaches its policy, which answers 404.
 *
 * `accept` = the message is treated as well formed (it reaches that policy); `status` = the
 * RFC's error response; `either` = the RFC lets the element reject (the status) or be lenient
 * (accept); `drop` = no response at all (faulty responses and responses with no transaction).
 */

export type Verdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'status'; readonly status: readonly number[] }
  | { readonly kind: 'either'; readonly status: readonly number[] }
  | { readonly kind: 'drop' };

export interface TortureVector {
  readonly file: string;
  readonly section: string;
  readonly ws: Verdict;
  readonly udp: Verdict;
  /** over WebSocket a framing fault (bad Content-Length) may also close the connection */
  readonly wsMayClose?: boolean;
}

const accept: Verdict = { kind: 'accept' };
const drop: Verdict = { kind: 'drop' };
const status = (...s: number[]): Verdict => ({ kind: 'status', status: s });
const either = (...s: number[]): Verdict => ({ kind: 'either', status: s });
const both = (file: string, section: string, v: Verdict, wsMayClose = false): TortureVector => ({
  file,
  section,
  ws: v,
  udp: v,
  wsMayClose,
});

export const TORTURE_VECTORS: readonly TortureVector[] = [
  // 3.1.1 valid messages: accepted as well formed.
  both('wsinv.dat', '3.1.1.1', accept),
  both('intmeth.dat', '3.1.1.2', accept), // a proxy forwards unknown methods (501 is for a UAS)
  both('esc01.dat', '3.1.1.3', accept),
  both('escnull.dat', '3.1.1.4', accept),
  both('esc02.dat', '3.1.1.5', accept), // RE%47IST%45R is not REGISTER: 403 over WS, never forwarded
  both('lwsdisp.dat', '3.1.1.6', accept),
  both('longreq.dat', '3.1.1.7', accept),
  both('dblreq.dat', '3.1.1.8', accept), // the REGISTER only; the trailing octets are ignored
  both('semiuri.dat', '3.1.1.9', accept),
  both('transports.dat', '3.1.1.10', accept),
  both('mpart01.dat', '3.1.1.11', accept),
  both('unreason.dat', '3.1.1.12', drop), // a response that matches no transaction
  both('noreason.dat', '3.1.1.13', drop),
  // 3.1.2 invalid messages.
  both('badinv01.dat', '3.1.2.1', status(400)),
  both('clerr.dat', '3.1.2.2', status(400), true),
  both('ncl.dat', '3.1.2.3', status(400), true),
  both('scalar02.dat', '3.1.2.4', status(400)),
  both('scalarlg.dat', '3.1.2.5', drop),
  both('quotbal.dat', '3.1.2.6', either(400)),
  both('ltgtruri.dat', '3.1.2.7', either(400)),
  both('lwsruri.dat', '3.1.2.8', either(400)),
  both('lwsstart.dat', '3.1.2.9', either(400)),
  both('trws.dat', '3.1.2.10', either(400)),
  both('escruri.dat', '3.1.2.11', either(400)),
  both('baddate.dat', '3.1.2.12', either(400)),
  both('regbadct.dat', '3.1.2.13', either(400)),
  both('badaspec.dat', '3.1.2.14', either(400)),
  both('baddn.dat', '3.1.2.15', either(400)),
  both('badvers.dat', '3.1.2.16', status(505)),
  both('mismatch01.dat', '3.1.2.17', status(400)),
  both('mismatch02.dat', '3.1.2.18', status(501, 400)),
  both('bigcode.dat', '3.1.2.19', drop),
  // 3.2 transaction layer.
  both('badbranch.dat', '3.2.1', either(400)),
  // 3.3 application layer.
  both('insuf.dat', '3.3.1', status(400)),
  both('unkscm.dat', '3.3.2', status(416)),
  both('novelsc.dat', '3.3.3', status(416, 404)),
  // A non-SIP AOR: the edge refuses the REGISTER (400); from the core it is just a request.
  { file: 'unksm2.dat', section: '3.3.4', ws: status(400), udp: accept },
  both('bext01.dat', '3.3.5', status(420)),
  both('invut.dat', '3.3.6', accept), // 415 is for an endpoint; a proxy handles it normally
  both('regaut01.dat', '3.3.7', accept), // forwarded with the Authorization untouched
  both('multi01.dat', '3.3.8', status(400)),
  both('mcl01.dat', '3.3.9', status(400), true),
  both('bcast.dat', '3.3.10', drop),
  both('zeromf.dat', '3.3.11', status(483)), // a proxy does not forward Max-Forwards 0
  both('cparam01.dat', '3.3.12', accept),
  both('cparam02.dat', '3.3.13', accept),
  both('regescrt.dat', '3.3.14', accept),
  both('sdp01.dat', '3.3.15', accept), // 406 is for a UAS; a proxy handles it normally
  both('inv2543.dat', '3.4.1', accept),
];

/** test.dat is in the archive but no section of RFC 4475 refers to it: sent, never judged. */
export const UNJUDGED_VECTORS: readonly string[] = ['test.dat'];

export function describeVerdict(v: Verdict): string {
  switch (v.kind) {
    case 'accept':
      return 'be accepted as well formed (reach the policy)';
    case 'status':
      return `be answered ${v.status.join(' or ')}`;
    case 'either':
      return `be answered ${v.status.join(' or ')}, or accepted leniently`;
    case 'drop':
      return 'be dropped without a response';
  }
}
