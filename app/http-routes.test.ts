import { describe, expect, it } from 'vitest';
import { type HttpListener, HttpRoutes } from './http-server.ts';

const named = (name: string): HttpListener & { label: string } =>
  Object.assign(() => undefined, { label: name });

describe('HttpRoutes', () => {
  it('gives a path to the longest prefix that owns it, and a prefix owns only whole segments', () => {
    const routes = new HttpRoutes();
    const root = named('root');
    const sapi = named('sapi');
    const users = named('users');
    routes.mount('/', root);
    routes.mount('/sapi', sapi);
    routes.mount('/sapi/users', users);
    expect(routes.match('/sapi')).toBe(sapi);
    expect(routes.match('/sapi/domains/x')).toBe(sapi);
    expect(routes.match('/sapi/users/7')).toBe(users);
    expect(routes.match('/sapix')).toBe(root);
    routes.unmount('/');
    expect(routes.match('/sapix')).toBeUndefined();
  });

  it('refuses reserved, duplicate and malformed prefixes', () => {
    const routes = new HttpRoutes();
    routes.mount('/oauth', named('a'));
    expect(() => routes.mount('/oauth', named('b'))).toThrow(/already mounted/);
    expect(() => routes.mount('/healthz', named('c'))).toThrow(/reserved/);
    expect(() => routes.mount('oauth2', named('d'))).toThrow(/must start with/);
    expect(() => routes.mount('/x/', named('e'))).toThrow(/must start with/);
  });
});
