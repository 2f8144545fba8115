/** Public surface of the web client (WIC) the WWSF serves. */
export { BROWSER_TARGETS, buildClient, type ClientAsset, type ClientBundle } from './build.ts';
export { type ClientRoutesOptions, clientRoutes, DEFAULT_DISCOVERY_PATH } from './routes.ts';
