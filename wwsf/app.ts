/**
 * The WWSF's HTTP application (hono): the discovery document, TURN credentials and the SAPI,
 * with one error handler that answers every failure as an RFC 9457 problem document.
 */

import { Hono } from 'hono';
import { requiredCaller } from './bearer.ts';
import { clientRoutes } from './client/index.ts';
import { mountDiscovery } from './discovery.ts';
import { answerError } from './error-handler.ts';
import { ProblemError, problemResponse } from './problem.ts';
import { provisioningRoutes } from './provisioning/index.ts';
import { Access } from './sapi/access.ts';
import { createSapi } from './sapi/sapi.ts';
import type { WwsfServices } from './services.ts';

export function createWwsfApp(s: WwsfServices): Hono {
  const app = new Hono();
  app.onError((error, c) => answerError(error, c, s));
  app.notFound((c) => problemResponse(new ProblemError(404, `no resource at ${c.req.path}`)));
  mountDiscovery(app, s);
  // Before the SAPI: its POST /sapi/provisioning-links is authorised here, not twice.
  if (s.provisioning?.linkSecret !== undefined)
    app.route(
      '/',
      provisioningRoutes({
        config: s.provisioning,
        directory: s.directory,
        logger: s.logger,
        authorize: async (request) => {
          const caller = await requiredCaller(
            request.headers.get('authorization') ?? undefined,
            s.checkToken,
          );
          const access = await Access.of(caller, s.directory, s.config.operatorDomain);
          return { mayProvision: (subscriber) => access.administers(subscriber.domain) };
        },
      }),
    );
  app.route('/sapi', createSapi(s));
  // The web client (WIC): index.html at / and /callback, its bundle under /assets/.
  app.route(
    '/',
    clientRoutes({ connectSources: () => [...s.config.wssUrls, s.issuer() ?? ''], logger: s.logger }),
  );
  return app;
}
