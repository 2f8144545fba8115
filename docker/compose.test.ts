import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { CONFIG_SCHEMA } from '../app/config.ts';

// There is no Docker engine on the build machines: these checks are what keeps the compose
// file and the Dockerfile in step with the code.
const COMPOSE_TEXT = readFileSync(new URL('./compose.yaml', import.meta.url), 'utf8');
const DOCKERFILE = readFileSync(new URL('./Dockerfile', import.meta.url), 'utf8');

interface Service {
  environment?: Record<string, string>;
  command?: string[];
  healthcheck?: { test?: string[] };
  build?: { context?: string; dockerfile?: string; dockerfile_inline?: string };
}

const compose = parse(COMPOSE_TEXT, { merge: true }) as { services: Record<string, Service> };
const product = compose.services['webrtc-ims'];

describe('docker/compose.yaml', () => {
  it('is well-formed YAML', () => {
    expect(parseDocument(COMPOSE_TEXT).errors).toEqual([]);
  });

  it('runs the product with its real peers, each peer from a Debian package', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['coturn', 'redis', 'rtpengine', 'webrtc-ims']);
    expect(product?.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
    const packages = { rtpengine: 'rtpengine-daemon', coturn: 'coturn', redis: 'redis-server' };
    for (const [service, debianPackage] of Object.entries(packages)) {
      const inline = compose.services[service]?.build?.dockerfile_inline ?? '';
      expect(inline, service).toMatch(/^FROM debian:bookworm-slim/);
      expect(inline, service).toContain(`apt-get install -y --no-install-recommends ${debianPackage}`);
    }
  });

  it('sets only variables the product reads, and checks the health endpoint on the configured port', () => {
    const known = Object.values(CONFIG_SCHEMA).map((spec) => spec.env);
    const environment = product?.environment ?? {};
    for (const key of Object.keys(environment)) expect(known, key).toContain(key);
    expect(product?.healthcheck?.test?.join(' ')).toContain(`127.0.0.1:${environment['HTTP_PORT']}/healthz`);
  });

  it('never defaults the TURN shared secret', () => {
    const args = compose.services['coturn']?.command ?? [];
    expect(args).toContainEqual(expect.stringMatching(/^--static-auth-secret=\$\{TURN_SECRET:\?/));
  });
});

describe('docker/Dockerfile', () => {
  it('builds on node:20-bookworm-slim, installs with npm ci and runs npm start', () => {
    expect(DOCKERFILE).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(DOCKERFILE).toMatch(/^RUN npm ci\b/m);
    expect(DOCKERFILE).toMatch(/^CMD \["npm", "start"\]$/m);
    expect(DOCKERFILE).toContain(`EXPOSE ${CONFIG_SCHEMA.httpPort.default}`);
  });
});
