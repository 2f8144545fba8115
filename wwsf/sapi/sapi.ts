/**
 * The SAPI (`/sapi`): the WWSF's provisioning REST API. Every operation needs a WAF access token
 * (Authorization: Bearer); what it may do follows from the token's role and domain (access.ts).
 * Requests are validated by the zod schemas of schemas.ts, replies too, and the OpenAPI 3.1
 * document at `/sapi/openapi.json` is generated from the same schemas.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { requiredCaller } from '../bearer.ts';
import { answerError } from '../error-handler.ts';
import type { WwsfServices } from '../services.ts';
import { Access } from './access.ts';
import { capabilityRoutes } from './capabilities-route.ts';
import type { SapiEnv } from './context.ts';
import { domainRoutes } from './domains.ts';
import { imsCredentialRoutes } from './ims-credentials.ts';
import { validationProblem } from './respond.ts';
import { sipMappingRoutes } from './sip-mappings.ts';
import { subscriberRoutes } from './subscribers.ts';

export const OPENAPI_PATH = '/openapi.json';

export function createSapi(s: WwsfServices): OpenAPIHono<SapiEnv> {
  const api = new OpenAPIHono<SapiEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationProblem(result.error, result.target);
    },
  });
  api.onError((error, c) => answerError(error, c, s));
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'an access token of the WAF (RFC 9068); its role and ims.domain claims decide what the caller may do',
  });
  // The document itself is public; everything after the middleware needs a token.
  api.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'WebRTC IMS SAPI',
      version: '1',
      description:
        'Provisioning of domains, subscribers, IMS credentials and SIP mappings of the WWSF (TS 23.228 Annex U). Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: '/sapi' }],
  });
  api.use('*', async (c, next) => {
    const caller = await requiredCaller(c.req.header('authorization'), s.checkToken);
    c.set('access', await Access.of(caller, s.directory, s.config.operatorDomain));
    await next();
  });
  for (const routes of [
    capabilityRoutes,
    domainRoutes,
    subscriberRoutes,
    imsCredentialRoutes,
    sipMappingRoutes,
  ])
    routes(api, s);
  return api;
}
