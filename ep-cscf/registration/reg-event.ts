import { randomBytes } from 'node:crypto';
import { type Dialog, dialogAsUac, dialogAsUas } from '../../sip/dialog/index.ts';
import { SipHeaders, SipRequest } from '../../sip/index.ts';
import { parseRegInfo, REGINFO_CONTENT_TYPE } from '../../sip/reginfo/index.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { ReceivedMessage } from '../../sip/transport/index.ts';
import { sendRequest } from '../../sip/ua/uac.ts';
import type { ContactBinding } from '../../store/index.ts';
import { type EpCscfContext, viaFor } from '../context.ts';
import type { LocalRequestHandler } from '../core.ts';
import { localResponse } from '../reply.ts';

interface Subscription {
  readonly aor: string;
  readonly callId: string;
  readonly localTag: string;
  readonly request: SipRequest;
  dialog: Dialog | undefined;
}

/** How long the eP-CSCF asks to stay subscribed (TS 24.229 §5.2.3: at least the registration's lifetime). */
const SUBSCRIBE_EXPIRES = 600_000;

/**
 * The P-CSCF's subscription to the reg event of each registered IMPU (TS 24.229 §5.2.3,
 * RFC 3680, RFC 6665 as subscriber) and its handling of the NOTIFYs (§5.2.5: network-initiated
 * deregistration and shortened expiry update the registration state).
 */
export class RegEventSubscriber implements LocalRequestHandler {
  private readonly byAor = new Map<string, Subscription>();
  private readonly byCallId = new Map<string, Subscription>();

  constructor(private readonly ctx: EpCscfContext) {}

  get size(): number {
    return this.byAor.size;
  }

  /** Subscribes once per AOR, after its first successful registration. */
  ensure(binding: ContactBinding): void {
    if (this.byAor.has(binding.aor)) return;
    const ctx = this.ctx;
    const s = ctx.settings;
    const self = `sip:pcscf@${s.mwHost.includes(':') ? `[${s.mwHost}]` : s.mwHost}:${s.mwPort}`;
    const localTag = randomBytes(6).toString('hex');
    const callId = `${randomBytes(12).toString('hex')}@${s.mwHost}`;
    const h = new SipHeaders();
    h.append('Via', viaFor(ctx, s.core.protocol));
    h.append('Max-Forwards', '70');
    for (const r of binding.serviceRoute) h.append('Route', r);
    h.append('From', `<${self}>;tag=${localTag}`);
    h.append('To', `<${binding.aor}>`);
    h.append('Call-ID', callId);
    h.append('CSeq', '1 SUBSCRIBE');
    h.append('Event', 'reg');
    h.append('Accept', REGINFO_CONTENT_TYPE);
    h.append('Expires', String(SUBSCRIBE_EXPIRES));
    h.append('Contact', `<${self}>`);
    h.append('P-Asserted-Identity', `<${self}>`);
    const request = new SipRequest('SUBSCRIBE', binding.aor, h);
    const sub: Subscription = { aor: binding.aor, callId, localTag, request, dialog: undefined };
    this.byAor.set(binding.aor, sub);
    this.byCallId.set(callId, sub);
    void sendRequest(ctx.layer, request, s.core).then((res) => {
      if (res.status >= 200 && res.status < 300) {
        if (sub.dialog === undefined) {
          const d = dialogAsUac(request, res, `<${self}>`);
          if (typeof d !== 'string') sub.dialog = d;
        }
        ctx.logger.debug({ aor: binding.aor, callId }, 'subscribed to reg event');
      } else {
        ctx.logger.warn({ aor: binding.aor, status: res.status, callId }, 'reg-event subscription refused');
        this.forget(sub);
      }
    });
  }

  receiveLocalRequest(txn: ServerTransaction, _rm: ReceivedMessage): boolean {
    const req = txn.request;
    if (req.method !== 'NOTIFY') return false;
    const sub = this.byCallId.get(req.callId);
    if (sub === undefined || req.to.params.value('tag') !== sub.localTag) {
      if (req.headers.get('event')?.split(';')[0]?.trim() !== 'reg') return false;
      txn.respond(localResponse(req, 481, 'Subscription Does Not Exist'));
      return true;
    }
    if (sub.dialog === undefined) {
      // RFC 6665 §4.1.2.4: a NOTIFY may create the dialog before the 2xx to SUBSCRIBE arrives.
      const d = dialogAsUas(req, {
        localTag: sub.localTag,
        localContact: sub.request.headers.get('contact')!,
        localSeq: 1,
      });
      if (typeof d !== 'string') sub.dialog = d;
    } else {
      const err = sub.dialog.receiveRequest(req);
      if (err !== undefined) {
        txn.respond(localResponse(req, err.status, err.reason, err.headers));
        return true;
      }
    }
    const info = parseRegInfo(req.body);
    if (!info.ok) {
      txn.respond(localResponse(req, 400, 'Bad Request (reginfo)'));
      return true;
    }
    txn.respond(localResponse(req, 200));
    void this.apply(info.value.registrations).catch((err: unknown) =>
      this.ctx.logger.error({ err, callId: req.callId }, 'reg-event state not applied'),
    );
    if (req.headers.get('subscription-state')?.trim().toLowerCase().startsWith('terminated'))
      this.forget(sub);
    return true;
  }

  /** RFC 3680 §5: contacts the core terminated leave our state; shortened ones get the new expiry. */
  private async apply(
    registrations: ReadonlyArray<{ aor: string; contacts: ReadonlyArray<RegContactLike> }>,
  ): Promise<void> {
    const store = this.ctx.store;
    for (const reg of registrations) {
      const bindings = await store.forAor(reg.aor);
      for (const c of reg.contacts) {
        const b = bindings.find((x) => sameUri(x.contact, c.uri));
        if (b === undefined) continue;
        if (c.state === 'terminated') {
          await store.remove(b.aor, b.contact);
          this.ctx.logger.info(
            { aor: b.aor, contact: b.contact, event: c.event },
            'registration ended by the core',
          );
        } else if (c.expires !== undefined) {
          await store.put({ ...b, expiresAt: this.ctx.now() + c.expires * 1000 });
        }
      }
      if ((await store.forAor(reg.aor)).length === 0) {
        const sub = this.byAor.get(reg.aor);
        if (sub !== undefined) this.forget(sub);
      }
    }
  }

  private forget(sub: Subscription): void {
    this.byAor.delete(sub.aor);
    this.byCallId.delete(sub.callId);
  }
}

interface RegContactLike {
  readonly uri: string;
  readonly state: 'active' | 'terminated';
  readonly event: string;
  readonly expires?: number | undefined;
}

function sameUri(a: string, b: string): boolean {
  if (a === b) return true;
  const strip = (u: string): string => u.replace(/^<|>$/g, '').toLowerCase();
  return strip(a) === strip(b);
}
