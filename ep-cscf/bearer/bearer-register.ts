import { isSipUri, parseUri } from '../../sip/index.ts';
import type { ForwardContext } from '../../sip/proxy/index.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { ReceivedMessage } from '../../sip/transport/index.ts';
import type { EpCscfContext } from '../context.ts';
import { registerFromPool } from '../registration/pool-register.ts';
import { canonicalAor, forwardRegister } from '../registration/register.ts';
import { localResponse } from '../reply.ts';
import type { BearerAccess } from './bearer-access.ts';
import { refuseBearer } from './challenge.ts';
import type { BearerRead } from './credentials.ts';
import { contactForDialog } from './deregister.ts';
import { trustedNodeAuthorization } from './trusted-node.ts';

/**
 * A REGISTER with bearer credentials (RFC 8898 §2.1.3, §2.2; TS 24.371 §6; TS 33.203 X.3):
 *
 *   no token (BEARER_REQUIRED)  401 with the Bearer challenge (realm, authz_server)
 *   token refused               401 invalid_token / 403 insufficient_scope / 503 (WAF unreachable)
 *   pool identity (X.4)         registerFromPool (scenario 3)
 *   To is not the token's IMPU  403: the token authorises one identity only
 *   otherwise                   forwarded as Trusted Node Authentication (`auth-done`, username
 *                               the token's IMPI), without the token; on the 2xx the token is
 *                               bound to each registered contact and its flow
 */
export async function registerWithBearer(
  ctx: EpCscfContext,
  access: BearerAccess,
  txn: ServerTransaction,
  rm: ReceivedMessage,
  cred: BearerRead,
): Promise<ForwardContext | undefined> {
  const req = txn.request;
  if (cred.kind === 'none') {
    access.metrics.validations.inc({ outcome: 'missing' });
    refuseBearer(txn, access, { error: undefined, reason: 'no token' });
    return undefined;
  }
  if (cred.kind === 'malformed') {
    refuseBearer(txn, access, { error: 'invalid_request', reason: cred.reason, header: cred.header });
    return undefined;
  }
  const v = await access.validate(cred.token);
  if (!v.ok) {
    refuseBearer(txn, access, { error: v.error, reason: v.reason, header: cred.header });
    return undefined;
  }
  const token = v.token;
  const identity = token.identity;
  if (identity.kind === 'pool') {
    registerFromPool(ctx, txn, rm, token);
    return undefined;
  }
  const aor = canonicalAor(req);
  if (aor !== canonicalImpu(identity.impu)) {
    txn.respond(localResponse(req, 403, 'Forbidden (To is not the public identity of the token)'));
    return undefined;
  }
  const sent = req.contacts();
  return forwardRegister(ctx, txn, rm, {
    authorization: trustedNodeAuthorization(identity.impi, req.uri),
    onRegistered({ forwarded, registered, removed }) {
      for (const contact of removed) access.bindings.remove(aor, contact);
      const path = forwarded.headers.values('path')[0] ?? '';
      for (const b of registered) {
        const c = Array.isArray(sent) ? sent.find((s) => s.uriText === b.contact) : undefined;
        if (c === undefined) continue;
        access.bindings.bind({
          aor: b.aor,
          contact: b.contact,
          connectionId: b.connectionId,
          token,
          raw: cred.token,
          impi: identity.impi,
          register: {
            requestUri: forwarded.uri,
            callId: forwarded.callId,
            cseq: forwarded.cseq.seq,
            contact: contactForDialog(c),
            path,
          },
        });
      }
      access.metrics.bindings.set(access.bindings.size);
    },
  });
}

/** The token's IMPU keyed like canonicalAor: scheme, user, lower-case host, port; no parameters. */
export function canonicalImpu(impu: string): string {
  const r = parseUri(impu);
  if (!r.ok || !isSipUri(r.uri)) return impu;
  const u = r.uri;
  return `${u.scheme}:${u.user === undefined ? '' : `${u.user}@`}${u.host.toLowerCase()}${u.port === undefined ? '' : `:${u.port}`}`;
}
