/**
 * SAPI subscribers: the users of a domain, their role and capability rules, and their `basic`
 * credential (a web password, stored only as a scrypt hash and never returned). A subscriber's
 * view counts its `ims` credentials and `sip-mapping`s (their own routes manage them).
 */
import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { Subscriber, SubscriberDirectory } from '../../store/directory.ts';
import { hashPassword } from '../../store/password.ts';
import { effectiveCapabilities } from '../capabilities.ts';
import { ProblemError } from '../problem.ts';
import { type Access, notFound } from './access.ts';
import { BEARER, type SapiRoutes } from './context.ts';
import { json, problems, reply, write } from './respond.ts';
import { BasicCredential, IdParam, SubscriberCreate, SubscriberPatch, SubscriberView } from './schemas.ts';

const SubscriberList = z.strictObject({ subscribers: z.array(SubscriberView) }).openapi('SubscriberList');
const DomainQuery = z.object({
  domain: z
    .string()
    .optional()
    .openapi({ param: { name: 'domain', in: 'query' }, description: "default: the caller's domain" }),
});

async function subscriberView(directory: SubscriberDirectory, sub: Subscriber) {
  const domain = await directory.getDomain(sub.domain);
  const ims = await directory.imsCredentialsOf(sub.id);
  const mappings = await directory.sipMappingsOf(sub.id);
  return reply(SubscriberView, {
    id: sub.id,
    username: sub.username,
    domain: sub.domain,
    role: sub.role,
    capabilities: [...sub.capabilities],
    effectiveCapabilities: effectiveCapabilities({
      services: domain?.services ?? [],
      ...(sub.role === 'anonymous' ? { domainRules: domain?.anonymous.capabilities ?? [] } : {}),
      subscriberRules: sub.capabilities,
    }),
    disabled: sub.disabled,
    credentials: { basic: sub.passwordHash !== undefined, ims: ims.length, sipMappings: mappings.length },
  });
}

/** The subscriber if the caller may see it (itself, or one of a domain it administers); else 404. */
export async function visibleSubscriber(directory: SubscriberDirectory, access: Access, id: string) {
  const sub = await directory.getSubscriber(id);
  if (sub === undefined || !(access.isSelf(sub.id) || (await access.administers(sub.domain))))
    throw notFound('subscriber', id);
  return sub;
}

const list = createRoute({
  method: 'get',
  path: '/subscribers',
  summary: 'The subscribers of a domain (admins)',
  security: BEARER,
  request: { query: DomainQuery },
  responses: { 200: json(SubscriberList, 'the subscribers'), ...problems(400, 401, 403) },
});
const create = createRoute({
  method: 'post',
  path: '/subscribers',
  summary: 'Create a subscriber (its password is set through its basic credential)',
  security: BEARER,
  request: { body: { required: true, content: { 'application/json': { schema: SubscriberCreate } } } },
  responses: { 201: json(SubscriberView, 'created'), ...problems(400, 401, 403, 409, 415, 422) },
});
const read = createRoute({
  method: 'get',
  path: '/subscribers/{id}',
  summary: 'One subscriber (admins of its domain, or the subscriber itself)',
  security: BEARER,
  request: { params: IdParam },
  responses: { 200: json(SubscriberView, 'the subscriber'), ...problems(400, 401, 404) },
});
const patch = createRoute({
  method: 'patch',
  path: '/subscribers/{id}',
  summary: 'Change the role, capability rules or disabled flag of a subscriber (admins)',
  security: BEARER,
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: SubscriberPatch } } },
  },
  responses: { 200: json(SubscriberView, 'changed'), ...problems(400, 401, 403, 404, 415, 422) },
});
const remove = createRoute({
  method: 'delete',
  path: '/subscribers/{id}',
  summary: 'Delete a subscriber with its IMS credentials and SIP mappings (admins)',
  security: BEARER,
  request: { params: IdParam },
  responses: { 204: { description: 'deleted' }, ...problems(400, 401, 403, 404) },
});
const setBasic = createRoute({
  method: 'put',
  path: '/subscribers/{id}/credentials/basic',
  summary: "Set a subscriber's web password (the subscriber itself, or an admin of its domain)",
  security: BEARER,
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: BasicCredential } } },
  },
  responses: { 204: { description: 'set' }, ...problems(400, 401, 404, 415, 422) },
});
const removeBasic = createRoute({
  method: 'delete',
  path: '/subscribers/{id}/credentials/basic',
  summary: "Remove a subscriber's web password (no password login afterwards)",
  security: BEARER,
  request: { params: IdParam },
  responses: { 204: { description: 'removed' }, ...problems(400, 401, 404) },
});

export const subscriberRoutes: SapiRoutes = (api, s) => {
  const dir = s.directory;

  api.openapi(list, async (c) => {
    const access = c.get('access');
    const domain = c.req.valid('query').domain ?? access.domain;
    await access.requireAdmin(domain);
    const views = [];
    for (const sub of await dir.listSubscribers(domain)) views.push(await subscriberView(dir, sub));
    return c.json(reply(SubscriberList, { subscribers: views }), 200);
  });

  api.openapi(create, async (c) => {
    const access = c.get('access');
    const body = c.req.valid('json');
    if ((await dir.getDomain(body.domain)) === undefined)
      throw new ProblemError(422, `domain ${body.domain} does not exist`, {
        errors: [{ pointer: '/domain', detail: 'unknown domain' }],
      });
    await access.requireAdmin(body.domain);
    const sub: Subscriber = { id: randomUUID(), ...body, passwordHash: undefined };
    await write(() => dir.putSubscriber(sub));
    c.header('location', `/sapi/subscribers/${sub.id}`);
    return c.json(await subscriberView(dir, sub), 201);
  });

  api.openapi(read, async (c) => {
    const sub = await visibleSubscriber(dir, c.get('access'), c.req.valid('param').id);
    return c.json(await subscriberView(dir, sub), 200);
  });

  api.openapi(patch, async (c) => {
    const access = c.get('access');
    const sub = await visibleSubscriber(dir, access, c.req.valid('param').id);
    await access.requireAdmin(sub.domain);
    const changes = c.req.valid('json');
    const next: Subscriber = {
      ...sub,
      role: changes.role ?? sub.role,
      capabilities: changes.capabilities ?? sub.capabilities,
      disabled: changes.disabled ?? sub.disabled,
    };
    await write(() => dir.putSubscriber(next));
    return c.json(await subscriberView(dir, next), 200);
  });

  api.openapi(remove, async (c) => {
    const access = c.get('access');
    const sub = await visibleSubscriber(dir, access, c.req.valid('param').id);
    await access.requireAdmin(sub.domain);
    await write(() => dir.deleteSubscriber(sub.id));
    return c.body(null, 204);
  });

  api.openapi(setBasic, async (c) => {
    const sub = await visibleSubscriber(dir, c.get('access'), c.req.valid('param').id);
    const passwordHash = await hashPassword(c.req.valid('json').password);
    await write(() => dir.putSubscriber({ ...sub, passwordHash }));
    return c.body(null, 204);
  });

  api.openapi(removeBasic, async (c) => {
    const sub = await visibleSubscriber(dir, c.get('access'), c.req.valid('param').id);
    await write(() => dir.putSubscriber({ ...sub, passwordHash: undefined }));
    return c.body(null, 204);
  });
};
