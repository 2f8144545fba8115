import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SapiFixture, sapiBackends, startSapiFixture } from './fixture.ts';

interface SchemaObject {
  readonly properties?: Record<string, { pattern?: string; minimum?: number; maxLength?: number }>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
}

describe.each(sapiBackends())('SAPI OpenAPI document ($name)', ({ open }) => {
  let f: SapiFixture;
  beforeAll(async () => {
    f = await startSapiFixture(open);
  });
  afterAll(async () => {
    await f?.w.stop();
  });

  it('[WWSF-sapi-openapi] MUST serve an OpenAPI 3.1 document at /sapi/openapi.json, without a token, describing every operation', async () => {
    const { status, body } = await f.anonymous('GET', '/openapi.json');
    expect(status).toBe(200);
    const doc = body as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /capabilities',
        'GET /domains',
        'GET /domains/{name}',
        'PUT /domains/{name}',
        'GET /domains/{name}/pool',
        'GET /subscribers',
        'POST /subscribers',
        'GET /subscribers/{id}',
        'PATCH /subscribers/{id}',
        'DELETE /subscribers/{id}',
        'PUT /subscribers/{id}/credentials/basic',
        'DELETE /subscribers/{id}/credentials/basic',
        'GET /credentials/ims',
        'POST /credentials/ims',
        'GET /credentials/ims/{id}',
        'PUT /credentials/ims/{id}',
        'DELETE /credentials/ims/{id}',
        'DELETE /domains/{name}',
        'GET /credentials/sip-mapping',
        'POST /credentials/sip-mapping',
        'GET /credentials/sip-mapping/{id}',
        'PUT /credentials/sip-mapping/{id}',
        'DELETE /credentials/sip-mapping/{id}',
      ].sort(),
    );
    for (const ops of Object.values(doc.paths))
      for (const op of Object.values(ops)) {
        expect(op.security).toEqual([{ bearer: [] }]);
        expect(op.responses['401']).toBeDefined();
      }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('[WWSF-sapi-one-schema] MUST enforce on requests exactly the constraints the document publishes', async () => {
    const { body } = await f.anonymous('GET', '/openapi.json');
    const schemas = (body as { components: { schemas: Record<string, SchemaObject> } }).components.schemas;
    const create = schemas.SubscriberCreate;
    expect(create?.required).toEqual(['username', 'domain']);
    expect(create?.additionalProperties).toBe(false);
    const pattern = create?.properties?.username?.pattern;
    expect(pattern).toBeDefined();
    // A name the published pattern refuses is refused by the API, one it accepts is taken.
    const refused = 'Upper.Case';
    expect(new RegExp(pattern ?? '').test(refused)).toBe(false);
    const bad = await f.acmeAdmin('POST', '/subscribers', { username: refused, domain: 'acme.com' });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ errors: [{ pointer: '/username' }] });
    const good = await f.acmeAdmin('POST', '/subscribers', { username: 'dave.o+1', domain: 'acme.com' });
    expect(new RegExp(pattern ?? '').test('dave.o+1')).toBe(true);
    expect(good.status).toBe(201);
    // additionalProperties: false is enforced, and every missing required field is named.
    const extra = await f.acmeAdmin('POST', '/subscribers', { color: 'blue' });
    expect(extra.status).toBe(422);
    const pointers = (extra.body as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/color', '/domain', '/username']);
    // The published minimum of the anonymous token lifetime is the enforced one.
    const minimum = schemas.AnonymousPolicy?.properties?.tokenTtl?.minimum ?? 0;
    const policy = { enabled: true, tokenTtl: minimum - 1, capabilities: [] };
    const low = await f.operator('PUT', '/domains/acme.com', { parent: 'operator.net', anonymous: policy });
    expect(low.status).toBe(422);
    expect(low.body).toMatchObject({ errors: [{ pointer: '/anonymous/tokenTtl' }] });
  });

  it('[RFC6750-3.1-sapi-no-token] MUST answer every SAPI operation without a token with 401 and a bare Bearer challenge', async () => {
    for (const [method, path] of [
      ['GET', '/capabilities'],
      ['GET', '/domains'],
      ['POST', '/subscribers'],
      ['DELETE', `/subscribers/${f.ids.alice}`],
      ['GET', '/credentials/ims'],
    ] as const) {
      const answer = await f.anonymous(method, path, method === 'POST' ? {} : undefined);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="webrtc-ims"');
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(await f.w.directory.getSubscriber(f.ids.alice)).toBeDefined();
  });

  it('[RFC9457-3-sapi-problems] MUST answer malformed JSON with 400 and a body of another type with 415, as problem documents', async () => {
    const malformed = await f.acmeAdmin('POST', '/subscribers', '{"username": ');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
    expect(malformed.body).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    const text = await f.acmeAdmin('POST', '/subscribers', 'username=x', 'text/plain');
    expect(text.status).toBe(415);
    expect(text.headers.get('content-type')).toBe('application/problem+json');
  });
});
