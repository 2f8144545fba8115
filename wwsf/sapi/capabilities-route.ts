/** `GET /sapi/capabilities`: the effective capabilities of the calling user (Sippo wac's rule). */
import { createRoute } from '@hono/zod-openapi';
import { callerCapabilities } from '../caller-capabilities.ts';
import { notFound } from './access.ts';
import { BEARER, type SapiRoutes } from './context.ts';
import { json, problems, reply } from './respond.ts';
import { CapabilitiesView } from './schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/capabilities',
  summary: 'The capabilities of the calling user',
  security: BEARER,
  responses: { 200: json(CapabilitiesView, 'the caller capabilities'), ...problems(401, 404) },
});

export const capabilityRoutes: SapiRoutes = (api, s) => {
  api.openapi(route, async (c) => {
    const { caller, role } = c.get('access');
    const domain = await s.directory.getDomain(caller.identity.domain);
    if (domain === undefined) throw notFound('domain', caller.identity.domain);
    const capabilities = await callerCapabilities(s.directory, domain, caller);
    return c.json(
      reply(CapabilitiesView, {
        subject: caller.subject,
        domain: domain.name,
        role,
        capabilities,
      }),
      200,
    );
  });
};
