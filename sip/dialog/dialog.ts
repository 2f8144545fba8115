import { SipError } from '../error/sip-error.ts';
import { SipHeaders } from '../message/headers.ts';
import { EMPTY, SipRequest, type SipResponse } from '../message/message.ts';
import { formatNameAddr, type NameAddr } from '../message/name-addr.ts';
import { formatUri, parseUri, type Uri } from '../uri/uri.ts';
import type { DialogId } from './dialog-id.ts';

/** RFC 3261 §12: early after a provisional with a tag, confirmed after a 2xx (or for non-INVITE dialogs). */
export type DialogState = 'early' | 'confirmed' | 'terminated';

/** Methods whose request (and 2xx) may change the remote target (RFC 3261 §12.2, RFC 6665 §4.1.2.1, RFC 3311). */
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

export interface InDialogRequestOptions {
  /** the top Via value to put in (sent-by of this element); the transaction layer adds the branch */
  readonly via: string;
  /** extra header fields, in order */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Buffer;
  readonly maxForwards?: number;
}

/**
 * The dialog state of one UA (RFC 3261 §12.1): id, local and remote URI, remote target, route
 * set, local and remote CSeq numbers. It builds in-dialog requests (§12.2.1.1) and checks
 * received ones (§12.2.2); it sends nothing itself.
 */
export class Dialog {
  state: DialogState;
  readonly id: DialogId;
  /** From (local) and To (remote) of in-dialog requests, without tags, as name-addr text */
  readonly localAddress: string;
  readonly remoteAddress: string;
  /** our Contact, sent in target refresh requests */
  readonly localTarget: string;
  /** the peer's Contact URI: the Request-URI of in-dialog requests (loose routing) */
  remoteTarget: string;
  /** Route values in the order requests carry them */
  readonly routeSet: readonly string[];
  /** last CSeq number we sent; undefined until the first request (§12.1.1) */
  localSeq: number | undefined;
  /** last CSeq number received from the peer */
  remoteSeq: number | undefined;
  /** RFC 3261 §12.1.1: the request came over TLS with a sips Request-URI */
  readonly secure: boolean;

  constructor(init: {
    id: DialogId;
    state: DialogState;
    localAddress: string;
    remoteAddress: string;
    localTarget: string;
    remoteTarget: string;
    routeSet: readonly string[];
    localSeq: number | undefined;
    remoteSeq: number | undefined;
    secure: boolean;
  }) {
    this.id = init.id;
    this.state = init.state;
    this.localAddress = init.localAddress;
    this.remoteAddress = init.remoteAddress;
    this.localTarget = init.localTarget;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.secure = init.secure;
  }

  /** The URI the next request goes to first: the top Route, or the remote target (RFC 3261 §12.2.1.1, §8.1.2). */
  nextHop(): Uri {
    const first = this.routeSet[0];
    const text = first === undefined ? this.remoteTarget : routeUri(first);
    const parsed = parseUri(text);
    if (!parsed.ok) throw new TypeError(`dialog next hop '${text}' is not a URI: ${parsed.reason}`);
    return parsed.uri;
  }

  /**
   * A request within the dialog (RFC 3261 §12.2.1.1): To/From with the tags, Call-ID, the next
   * local CSeq, the Request-URI and Route from the remote target and route set (loose routing when
   * the first route has `lr`, strict routing otherwise), Contact for target refresh methods.
   * ACK and CANCEL are built from their INVITE instead (§13.2.2.4, §9.1), so they are refused.
   */
  createRequest(method: string, opts: InDialogRequestOptions): SipRequest {
    if (method === 'ACK' || method === 'CANCEL')
      throw new TypeError(`${method} is not built from the dialog state (RFC 3261 §13.2.2.4, §9.1)`);
    if (this.state === 'terminated') throw new TypeError('the dialog is terminated');
    const seq = this.localSeq === undefined ? 1 : this.localSeq + 1;
    this.localSeq = seq;
    let requestUri = this.remoteTarget;
    let routes = [...this.routeSet];
    const first = routes[0];
    if (first !== undefined && !isLooseRoute(first)) {
      // Strict routing: the first route becomes the Request-URI, the remote target the last Route.
      requestUri = stripForRequestUri(routeUri(first));
      routes = [...routes.slice(1), `<${this.remoteTarget}>`];
    }
    const h = new SipHeaders();
    h.append('Via', opts.via);
    h.append('Max-Forwards', String(opts.maxForwards ?? 70));
    for (const r of routes) h.append('Route', r);
    h.append('From', `${this.localAddress};tag=${this.id.localTag}`);
    h.append('To', `${this.remoteAddress};tag=${this.id.remoteTag}`);
    h.append('Call-ID', this.id.callId);
    h.append('CSeq', `${seq} ${method}`);
    if (TARGET_REFRESH.has(method)) h.append('Contact', this.localTarget);
    for (const [name, value] of opts.headers ?? []) h.append(name, value);
    return new SipRequest(method, requestUri, h, opts.body ?? EMPTY);
  }

  /**
   * Checks a request received in this dialog (RFC 3261 §12.2.2): a CSeq number lower than the
   * last one is answered 500; otherwise the remote CSeq moves on and a target refresh request
   * with a Contact updates the remote target. Returns the error to answer with, if any.
   */
  receiveRequest(request: SipRequest): SipError | undefined {
    const seq = request.cseq.seq;
    if (this.remoteSeq !== undefined && seq < this.remoteSeq)
      return new SipError(500, 'CSeq Out of Order', [['Retry-After', '1']]);
    this.remoteSeq = seq;
    if (TARGET_REFRESH.has(request.method)) this.refreshTarget(request.contacts());
    return undefined;
  }

  /** A 2xx to a target refresh request we sent updates the remote target (RFC 3261 §12.2.1.2). */
  receiveResponse(request: SipRequest, response: SipResponse): void {
    if (response.status >= 200 && response.status < 300 && TARGET_REFRESH.has(request.method))
      this.refreshTarget(response.contacts());
  }

  private refreshTarget(contacts: NameAddr[] | 'star' | string): void {
    if (Array.isArray(contacts) && contacts[0] !== undefined) this.remoteTarget = formatUri(contacts[0].uri);
  }
}

/** The URI inside a Route/Record-Route value (`<sip:p1.example.com;lr>` → `sip:p1.example.com;lr`). */
function routeUri(route: string): string {
  const lt = route.indexOf('<');
  const gt = route.indexOf('>', lt + 1);
  return lt >= 0 && gt > lt ? route.slice(lt + 1, gt) : route.trim();
}

function isLooseRoute(route: string): boolean {
  const parsed = parseUri(routeUri(route));
  return parsed.ok && 'params' in parsed.uri && parsed.uri.params.has('lr');
}

/** RFC 3261 §12.2.1.1, §19.1.1: a URI headers component is not allowed in a Request-URI. */
function stripForRequestUri(uri: string): string {
  const q = uri.indexOf('?');
  return q < 0 ? uri : uri.slice(0, q);
}

/** name-addr text of an address without its tag (for From/To of in-dialog requests). */
export function addressWithoutTag(a: NameAddr): string {
  const params = a.params.clone();
  params.delete('tag');
  return formatNameAddr({ ...a, params });
}
