/**
 * SAPI `sip-mapping` credentials: a SIP identity (IMPU, and the IMPI the core knows it by) bound to
 * a subscriber with no secret, for operators whose IMS core trusts the eP-CSCF (Trusted Node
 * Authentication, TS 33.203 Annex X.3, scenario 2) and who keep no IMS secret in the WWSF. The WAF
 * puts the mapped identity in the subscriber's tokens (waf/ims-claims.ts). Which identities an
 * admin may map: identity-realm.ts. An IMPU is unique across mappings and `ims` credentials.
 */
import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { SipMapping, SubscriberDirectory } from '../../store/directory.ts';
import { ProblemError } from '../problem.ts';
import { type Access, notFound } from './access.ts';
import { BEARER, type SapiRoutes } from './context.ts';
import { checkOwner } from './credential-owner.ts';
import { realmFaults } from './identity-realm.ts';
import { json, problems, reply, write } from './respond.ts';
import { IdParam, SipMappingBody, SipMappingView } from './schemas.ts';
import { visibleSubscriber } from './subscribers.ts';

const MappingList = z.strictObject({ mappings: z.array(SipMappingView) }).openapi('SipMappingList');
const query = (name: string, description: string) =>
  z
    .string()
    .min(1)
    .optional()
    .openapi({ param: { name, in: 'query' }, description });
const ListQuery = z.object({
  domain: query('domain', "the mappings of a domain's subscribers; default: the caller's domain"),
  subscriberId: query('subscriberId', "the subscriber's mappings"),
  impu: query('impu', 'the mapping of this IMPU (reverse lookup: SIP identity → subscriber)'),
});

function view(m: SipMapping) {
  return reply(SipMappingView, { ...m });
}

/** True when the caller may see the mapping: its subscriber, or an admin of its domain. */
async function visible(access: Access, m: SipMapping): Promise<boolean> {
  return access.isSelf(m.subscriberId) || (await access.administers(m.domain));
}

async function visibleMapping(directory: SubscriberDirectory, access: Access, id: string) {
  const mapping = await directory.getSipMapping(id);
  if (mapping === undefined || !(await visible(access, mapping))) throw notFound('SIP mapping', id);
  return mapping;
}

/** The mapping a body describes, after checking its owner and realm are the caller's to map. */
async function fromBody(
  directory: SubscriberDirectory,
  access: Access,
  id: string,
  body: z.output<typeof SipMappingBody>,
): Promise<SipMapping> {
  await checkOwner(directory, access, body.domain, body.subscriberId);
  const errors = realmFaults(access, body.impu, body.impi);
  if (errors.length > 0)
    throw new ProblemError(422, 'the identity is outside the realm this caller may map', { errors });
  return { id, ...body };
}

/** The listing: one base set (by IMPU, else subscriber, else domain), narrowed by the other filters. */
async function listed(directory: SubscriberDirectory, access: Access, q: z.output<typeof ListQuery>) {
  let found: SipMapping[];
  if (q.impu !== undefined) {
    const one = await directory.findSipMapping(q.impu);
    found = one !== undefined && (await visible(access, one)) ? [one] : [];
  } else if (q.subscriberId !== undefined) {
    found = await directory.sipMappingsOf((await visibleSubscriber(directory, access, q.subscriberId)).id);
  } else {
    const domain = q.domain ?? access.domain;
    await access.requireAdmin(domain);
    found = await directory.sipMappingsIn(domain);
  }
  return found.filter(
    (m) =>
      (q.domain === undefined || m.domain === q.domain) &&
      (q.subscriberId === undefined || m.subscriberId === q.subscriberId),
  );
}

const bodyRequest = { required: true, content: { 'application/json': { schema: SipMappingBody } } };
const PATH = '/credentials/sip-mapping';

const list = createRoute({
  method: 'get',
  path: PATH,
  summary: "SIP mappings: a domain's, a subscriber's (?subscriberId=), or the one of an IMPU (?impu=)",
  security: BEARER,
  request: { query: ListQuery },
  responses: { 200: json(MappingList, 'the mappings'), ...problems(400, 401, 403, 404) },
});
const create = createRoute({
  method: 'post',
  path: PATH,
  summary: 'Bind a SIP identity (IMPU and IMPI, no secret) to a subscriber',
  security: BEARER,
  request: { body: bodyRequest },
  responses: { 201: json(SipMappingView, 'created'), ...problems(400, 401, 403, 409, 415, 422) },
});
const read = createRoute({
  method: 'get',
  path: `${PATH}/{id}`,
  summary: 'One SIP mapping (admins of its domain, or its subscriber)',
  security: BEARER,
  request: { params: IdParam },
  responses: { 200: json(SipMappingView, 'the mapping'), ...problems(400, 401, 404) },
});
const replace = createRoute({
  method: 'put',
  path: `${PATH}/{id}`,
  summary: 'Replace a SIP mapping',
  security: BEARER,
  request: { params: IdParam, body: bodyRequest },
  responses: { 200: json(SipMappingView, 'replaced'), ...problems(400, 401, 403, 404, 409, 415, 422) },
});
const remove = createRoute({
  method: 'delete',
  path: `${PATH}/{id}`,
  summary: 'Delete a SIP mapping',
  security: BEARER,
  request: { params: IdParam },
  responses: { 204: { description: 'deleted' }, ...problems(400, 401, 403, 404) },
});

export const sipMappingRoutes: SapiRoutes = (api, s) => {
  const dir = s.directory;

  api.openapi(list, async (c) => {
    const found = await listed(dir, c.get('access'), c.req.valid('query'));
    return c.json(reply(MappingList, { mappings: found.map(view) }), 200);
  });

  api.openapi(create, async (c) => {
    const mapping = await fromBody(dir, c.get('access'), randomUUID(), c.req.valid('json'));
    await write(() => dir.putSipMapping(mapping));
    c.header('location', `/sapi${PATH}/${mapping.id}`);
    return c.json(view(mapping), 201);
  });

  api.openapi(read, async (c) => {
    return c.json(view(await visibleMapping(dir, c.get('access'), c.req.valid('param').id)), 200);
  });

  api.openapi(replace, async (c) => {
    const access = c.get('access');
    const old = await visibleMapping(dir, access, c.req.valid('param').id);
    await access.requireAdmin(old.domain);
    const mapping = await fromBody(dir, access, old.id, c.req.valid('json'));
    await write(() => dir.putSipMapping(mapping));
    return c.json(view(mapping), 200);
  });

  api.openapi(remove, async (c) => {
    const access = c.get('access');
    const mapping = await visibleMapping(dir, access, c.req.valid('param').id);
    await access.requireAdmin(mapping.domain);
    await write(() => dir.deleteSipMapping(mapping.id));
    return c.body(null, 204);
  });
};
