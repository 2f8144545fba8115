/** Test fixtures for directory tests: objects of the ims.lab domain with overridable fields. */

import type { Domain, ImsCredential, SipMapping, Subscriber } from './directory.ts';

export function domain(name: string, over: Partial<Domain> = {}): Domain {
  return {
    name,
    parent: undefined,
    allowedOrigins: [],
    anonymous: { enabled: true, tokenTtl: 600, capabilities: ['call'] },
    services: ['call', 'message'],
    ...over,
  };
}

export function subscriber(id: string, username: string, over: Partial<Subscriber> = {}): Subscriber {
  return {
    id,
    username,
    domain: 'ims.lab',
    role: 'user',
    capabilities: ['+video'],
    passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
    disabled: false,
    ...over,
  };
}

export function credential(id: string, user: string, over: Partial<ImsCredential> = {}): ImsCredential {
  return {
    id,
    domain: 'ims.lab',
    subscriberId: undefined,
    impu: `sip:${user}@ims.lab`,
    impi: `${user}@ims.lab`,
    secret: { kind: 'digest', password: `${user}-lab-password` },
    wssServer: undefined,
    ...over,
  };
}

export function sipMapping(
  id: string,
  user: string,
  subscriberId: string,
  over: Partial<SipMapping> = {},
): SipMapping {
  return {
    id,
    domain: 'ims.lab',
    subscriberId,
    impu: `sip:${user}@ims.lab`,
    impi: `${user}@ims.lab`,
    ...over,
  };
}
