/** What a SAPI handler finds on its hono context: the caller's access rights (set by sapi.ts). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { WwsfServices } from '../services.ts';
import type { Access } from './access.ts';

export interface SapiEnv {
  Variables: { access: Access };
}

export type SapiApp = OpenAPIHono<SapiEnv>;

/** Each route file exports one of these: it adds its routes to the SAPI. */
export type SapiRoutes = (api: SapiApp, s: WwsfServices) => void;

/** The OpenAPI security requirement every SAPI operation carries. */
export const BEARER = [{ bearer: [] }];
