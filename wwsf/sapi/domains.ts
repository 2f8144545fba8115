/**
 * SAPI domains (tenants): list, read, create or replace, delete, and the state of the anonymous
 * pool. A domain has a parent (the hierarchy admins' reach follows), allowed origins, an
 * anonymous policy and enabled services. A delete is refused (409) while the domain has child
 * domains, or holds subscribers, credentials or mappings unless `?cascade=true`, which deletes
 * them with it in one transaction; an admin deletes only domains strictly below its own.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Domain } from '../../store/directory.ts';
import { forbidden } from '../bearer.ts';
import { domainCapabilities } from '../caller-capabilities.ts';
import { PROBLEM_TYPE, ProblemError } from '../problem.ts';
import { notFound } from './access.ts';
import { BEARER, type SapiRoutes } from './context.ts';
import { json, problems, reply, write } from './respond.ts';
import { DomainBody, DomainInUseProblem, DomainParam, DomainView } from './schemas.ts';

export function domainView(d: Domain): z.output<typeof DomainView> {
  return reply(DomainView, {
    name: d.name,
    parent: d.parent ?? null,
    allowedOrigins: [...d.allowedOrigins],
    anonymous: { ...d.anonymous, capabilities: [...d.anonymous.capabilities] },
    services: [...d.services],
    capabilities: domainCapabilities(d),
  });
}

const DomainList = z.strictObject({ domains: z.array(DomainView) }).openapi('DomainList');
const PoolView = z
  .strictObject({
    domain: z.string(),
    size: z.number().int(),
    leased: z.number().int(),
    available: z.number().int(),
  })
  .openapi('Pool');

const list = createRoute({
  method: 'get',
  path: '/domains',
  summary: 'The domains the caller administers',
  security: BEARER,
  responses: { 200: json(DomainList, 'the domains'), ...problems(401, 403) },
});

const read = createRoute({
  method: 'get',
  path: '/domains/{name}',
  summary: 'One domain',
  security: BEARER,
  request: { params: DomainParam },
  responses: { 200: json(DomainView, 'the domain'), ...problems(400, 401, 404) },
});

const put = createRoute({
  method: 'put',
  path: '/domains/{name}',
  summary: 'Create or replace a domain',
  security: BEARER,
  request: {
    params: DomainParam,
    body: { required: true, content: { 'application/json': { schema: DomainBody } } },
  },
  responses: {
    200: json(DomainView, 'replaced'),
    201: json(DomainView, 'created'),
    ...problems(400, 401, 403, 404, 409, 415, 422),
  },
});

const DeleteQuery = z.object({
  cascade: z
    .enum(['true', 'false'])
    .optional()
    .openapi({
      param: { name: 'cascade', in: 'query' },
      description:
        'true: delete the subscribers, credentials, mappings and pool leases of the domain with it',
    }),
});

const remove = createRoute({
  method: 'delete',
  path: '/domains/{name}',
  summary: 'Delete a domain (operator admins: any; other admins: domains strictly below their own)',
  security: BEARER,
  request: { params: DomainParam, query: DeleteQuery },
  responses: {
    204: { description: 'deleted' },
    ...problems(400, 401, 403, 404),
    409: {
      description: 'the domain has child domains, or contents and cascade is not true',
      content: { [PROBLEM_TYPE]: { schema: DomainInUseProblem } },
    },
  },
});

const pool = createRoute({
  method: 'get',
  path: '/domains/{name}/pool',
  summary: 'The anonymous pool of a domain: IMS identities without a subscriber, and how many are leased',
  security: BEARER,
  request: { params: DomainParam },
  responses: { 200: json(PoolView, 'the pool'), ...problems(400, 401, 404) },
});

export const domainRoutes: SapiRoutes = (api, s) => {
  api.openapi(list, async (c) => {
    const access = c.get('access');
    if (!access.isAdmin) throw new ProblemError(403, 'listing domains needs an admin token');
    const all = await s.directory.listDomains();
    const mine: Domain[] = [];
    for (const d of all) if (await access.administers(d.name)) mine.push(d);
    return c.json(reply(DomainList, { domains: mine.map(domainView) }), 200);
  });

  api.openapi(read, async (c) => {
    const { name } = c.req.valid('param');
    await c.get('access').requireVisibleDomain(name);
    const domain = await s.directory.getDomain(name);
    if (domain === undefined) throw notFound('domain', name);
    return c.json(domainView(domain), 200);
  });

  api.openapi(put, async (c) => {
    const access = c.get('access');
    const { name } = c.req.valid('param');
    const body = c.req.valid('json');
    const existing = await s.directory.getDomain(name);
    if (existing !== undefined) await access.requireVisibleDomain(name);
    const parent = body.parent ?? undefined;
    const moves = existing === undefined || existing.parent !== parent;
    if (moves) {
      if (parent === undefined) {
        if (!access.isOperator)
          throw new ProblemError(403, 'only an operator admin creates or moves top-level domains');
      } else {
        if ((await s.directory.getDomain(parent)) === undefined)
          throw new ProblemError(422, `parent domain ${parent} does not exist`, {
            errors: [{ pointer: '/parent', detail: 'unknown domain' }],
          });
        await access.requireAdmin(parent);
        if (existing !== undefined && name === access.domain && !access.isOperator)
          throw new ProblemError(403, 'an admin cannot move its own domain');
      }
    }
    const domain: Domain = {
      name,
      parent,
      allowedOrigins: body.allowedOrigins,
      anonymous: body.anonymous,
      services: body.services,
    };
    await write(() => s.directory.putDomain(domain));
    const view = domainView(domain);
    if (existing !== undefined) return c.json(view, 200);
    c.header('location', `/sapi/domains/${name}`);
    return c.json(view, 201);
  });

  api.openapi(remove, async (c) => {
    const access = c.get('access');
    const { name } = c.req.valid('param');
    await access.requireVisibleDomain(name);
    if (name === access.domain && !access.isOperator)
      throw forbidden('an admin cannot delete its own domain');
    const cascade = c.req.valid('query').cascade === 'true';
    if (!(await write(() => s.directory.deleteDomain(name, { cascade })))) throw notFound('domain', name);
    return c.body(null, 204);
  });

  api.openapi(pool, async (c) => {
    const { name } = c.req.valid('param');
    await c.get('access').requireVisibleDomain(name);
    const size = (await s.directory.poolOf(name)).length;
    const leased = (await s.directory.activeLeases(name, s.wallClock())).length;
    return c.json(
      reply(PoolView, { domain: name, size, leased, available: Math.max(0, size - leased) }),
      200,
    );
  });
};
