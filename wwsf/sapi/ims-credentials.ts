/**
 * SAPI `ims` credentials: IMPU/IMPI pairs with their secret (digest password or AKA K/OPc),
 * bound to a subscriber or, without one, forming the domain's anonymous pool (TS 33.203 X.4).
 * The secret is written, never read back: views carry only its kind.
 */
import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { ImsCredential, SubscriberDirectory } from '../../store/directory.ts';
import { type Access, notFound } from './access.ts';
import { BEARER, type SapiRoutes } from './context.ts';
import { checkOwner } from './credential-owner.ts';
import { json, problems, reply, write } from './respond.ts';
import { IdParam, ImsCredentialBody, ImsCredentialView } from './schemas.ts';
import { visibleSubscriber } from './subscribers.ts';

const CredentialList = z
  .strictObject({ credentials: z.array(ImsCredentialView) })
  .openapi('ImsCredentialList');
const ListQuery = z.object({
  domain: z
    .string()
    .optional()
    .openapi({ param: { name: 'domain', in: 'query' } }),
  subscriberId: z
    .string()
    .optional()
    .openapi({ param: { name: 'subscriberId', in: 'query' } }),
  pool: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ param: { name: 'pool', in: 'query' } }),
});

function view(c: ImsCredential) {
  return reply(ImsCredentialView, {
    id: c.id,
    domain: c.domain,
    subscriberId: c.subscriberId ?? null,
    impu: c.impu,
    impi: c.impi,
    secretKind: c.secret.kind,
    wssServer: c.wssServer ?? null,
  });
}

async function visibleCredential(directory: SubscriberDirectory, access: Access, id: string) {
  const cred = await directory.getImsCredential(id);
  if (cred === undefined || !(access.isSelf(cred.subscriberId) || (await access.administers(cred.domain))))
    throw notFound('IMS credential', id);
  return cred;
}

/** The credential a body describes, after checking its domain and owner exist and are the caller's to manage. */
async function fromBody(
  directory: SubscriberDirectory,
  access: Access,
  id: string,
  body: z.output<typeof ImsCredentialBody>,
): Promise<ImsCredential> {
  await checkOwner(directory, access, body.domain, body.subscriberId);
  return {
    id,
    domain: body.domain,
    subscriberId: body.subscriberId ?? undefined,
    impu: body.impu,
    impi: body.impi,
    secret: body.secret,
    wssServer: body.wssServer ?? undefined,
  };
}

const bodyRequest = { required: true, content: { 'application/json': { schema: ImsCredentialBody } } };

const list = createRoute({
  method: 'get',
  path: '/credentials/ims',
  summary: "A subscriber's IMS credentials, or a domain's (all, or only its pool with pool=true)",
  security: BEARER,
  request: { query: ListQuery },
  responses: { 200: json(CredentialList, 'the credentials'), ...problems(400, 401, 403, 404) },
});
const create = createRoute({
  method: 'post',
  path: '/credentials/ims',
  summary: 'Add an IMS credential to a subscriber, or to the pool (subscriberId null)',
  security: BEARER,
  request: { body: bodyRequest },
  responses: { 201: json(ImsCredentialView, 'created'), ...problems(400, 401, 403, 409, 415, 422) },
});
const read = createRoute({
  method: 'get',
  path: '/credentials/ims/{id}',
  summary: 'One IMS credential (without its secret)',
  security: BEARER,
  request: { params: IdParam },
  responses: { 200: json(ImsCredentialView, 'the credential'), ...problems(400, 401, 404) },
});
const replace = createRoute({
  method: 'put',
  path: '/credentials/ims/{id}',
  summary: 'Replace an IMS credential',
  security: BEARER,
  request: { params: IdParam, body: bodyRequest },
  responses: { 200: json(ImsCredentialView, 'replaced'), ...problems(400, 401, 403, 404, 409, 415, 422) },
});
const remove = createRoute({
  method: 'delete',
  path: '/credentials/ims/{id}',
  summary: 'Delete an IMS credential',
  security: BEARER,
  request: { params: IdParam },
  responses: { 204: { description: 'deleted' }, ...problems(400, 401, 403, 404) },
});

export const imsCredentialRoutes: SapiRoutes = (api, s) => {
  const dir = s.directory;

  api.openapi(list, async (c) => {
    const access = c.get('access');
    const q = c.req.valid('query');
    if (q.subscriberId !== undefined) {
      const sub = await visibleSubscriber(dir, access, q.subscriberId);
      const creds = await dir.imsCredentialsOf(sub.id);
      return c.json(reply(CredentialList, { credentials: creds.map(view) }), 200);
    }
    const domain = q.domain ?? access.domain;
    await access.requireAdmin(domain);
    const creds = [...(await dir.poolOf(domain))];
    if (q.pool !== 'true')
      for (const sub of await dir.listSubscribers(domain))
        creds.push(...(await dir.imsCredentialsOf(sub.id)));
    return c.json(reply(CredentialList, { credentials: creds.map(view) }), 200);
  });

  api.openapi(create, async (c) => {
    const cred = await fromBody(dir, c.get('access'), randomUUID(), c.req.valid('json'));
    await write(() => dir.putImsCredential(cred));
    c.header('location', `/sapi/credentials/ims/${cred.id}`);
    return c.json(view(cred), 201);
  });

  api.openapi(read, async (c) => {
    return c.json(view(await visibleCredential(dir, c.get('access'), c.req.valid('param').id)), 200);
  });

  api.openapi(replace, async (c) => {
    const access = c.get('access');
    const old = await visibleCredential(dir, access, c.req.valid('param').id);
    await access.requireAdmin(old.domain);
    const cred = await fromBody(dir, access, old.id, c.req.valid('json'));
    await write(() => dir.putImsCredential(cred));
    return c.json(view(cred), 200);
  });

  api.openapi(remove, async (c) => {
    const access = c.get('access');
    const cred = await visibleCredential(dir, access, c.req.valid('param').id);
    await access.requireAdmin(cred.domain);
    await write(() => dir.deleteImsCredential(cred.id));
    return c.body(null, 204);
  });
};
