/**
 * The SAPI's schemas: one zod definition per request and response body. They validate every
 * request (through @hono/zod-openapi's validators) and every response (`reply` in respond.ts),
 * and the OpenAPI 3.1 document at /sapi/openapi.json is generated from them: one source.
 */
import { z } from '@hono/zod-openapi';
import { CAPABILITY_NAME, CAPABILITY_RULE } from '../capabilities.ts';

export const DOMAIN_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const DomainName = z
  .string()
  .regex(DOMAIN_NAME, 'must be a lower-case domain name')
  .openapi({ example: 'example.com' });

const Origin = z
  .string()
  .max(2048)
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === text;
    } catch {
      return false;
    }
  }, 'must be an origin: scheme://host[:port], no path')
  .openapi({ example: 'https://app.example.com' });

const Rule = z
  .string()
  .regex(CAPABILITY_RULE, 'must be a capability rule: name, +name (forced) or -name (pruned)')
  .openapi({ example: '+video' });
const Service = z
  .string()
  .regex(CAPABILITY_NAME, 'must be a service name (lower case)')
  .openapi({ example: 'call' });

export const AnonymousPolicy = z
  .strictObject({
    enabled: z.boolean(),
    tokenTtl: z.number().int().min(30).max(86_400).openapi({ description: 'guest token lifetime, seconds' }),
    capabilities: z.array(Rule).max(64),
  })
  .openapi('AnonymousPolicy');

export const DomainBody = z
  .strictObject({
    parent: DomainName.nullable().default(null),
    allowedOrigins: z.array(Origin).max(64).default([]),
    anonymous: AnonymousPolicy.default({ enabled: false, tokenTtl: 300, capabilities: [] }),
    services: z.array(Service).max(64).default(['call', 'message']),
  })
  .openapi('DomainBody');

export const DomainView = z
  .strictObject({
    name: DomainName,
    parent: DomainName.nullable(),
    allowedOrigins: z.array(z.string()),
    anonymous: AnonymousPolicy,
    services: z.array(z.string()),
    capabilities: z
      .array(z.string())
      .openapi({ description: 'services the stack supports (effective for users)' }),
  })
  .openapi('Domain');

export const Role = z.enum(['admin', 'user', 'anonymous']);
const Username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._+-]{0,63}$/, 'must be lower case: letters, digits, . _ + -')
  .openapi({ example: 'alice' });

export const SubscriberCreate = z
  .strictObject({
    username: Username,
    domain: DomainName,
    role: Role.default('user'),
    capabilities: z.array(Rule).max(64).default([]),
    disabled: z.boolean().default(false),
  })
  .openapi('SubscriberCreate');

export const SubscriberPatch = z
  .strictObject({
    role: Role.optional(),
    capabilities: z.array(Rule).max(64).optional(),
    disabled: z.boolean().optional(),
  })
  .openapi('SubscriberPatch');

export const SubscriberView = z
  .strictObject({
    id: z.string(),
    username: z.string(),
    domain: z.string(),
    role: Role,
    capabilities: z.array(z.string()).openapi({ description: 'the rules as stored' }),
    effectiveCapabilities: z.array(z.string()),
    disabled: z.boolean(),
    credentials: z.strictObject({
      basic: z.boolean(),
      ims: z.number().int(),
      sipMappings: z.number().int(),
    }),
  })
  .openapi('Subscriber');

export const BasicCredential = z
  .strictObject({ password: z.string().min(8, 'must be at least 8 characters').max(256) })
  .openapi('BasicCredential');

const Hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), `must be ${bytes} bytes in hex`);

export const ImsSecretBody = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('digest'), password: z.string().min(1).max(256) }),
    z.strictObject({ kind: z.literal('aka'), k: Hex(16), opc: Hex(16), amf: Hex(2).optional() }),
  ])
  .openapi('ImsSecret');

export const Impu = z
  .string()
  .max(512)
  .regex(
    /^(sips?:[^\s@<>"]+@[^\s@<>"]+|tel:\+?[0-9*#.()-]+)$/,
    'must be a SIP URI with a user part or a tel URI',
  )
  .openapi({ example: 'sip:alice@ims.example.com' });
export const Impi = z
  .string()
  .max(512)
  .regex(/^[^\s@<>"]+@[^\s@<>"]+$/, 'must be a NAI: user@realm')
  .openapi({ example: 'alice@ims.example.com' });
const WssUrl = z
  .string()
  .max(2048)
  .refine((text) => {
    try {
      return ['wss:', 'ws:'].includes(new URL(text).protocol);
    } catch {
      return false;
    }
  }, 'must be a ws:// or wss:// URL');

export const ImsCredentialBody = z
  .strictObject({
    domain: DomainName,
    subscriberId: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .openapi({ description: 'the owner; null: the domain anonymous pool' }),
    impu: Impu,
    impi: Impi,
    secret: ImsSecretBody,
    wssServer: WssUrl.nullable().default(null),
  })
  .openapi('ImsCredentialBody');

export const ImsCredentialView = z
  .strictObject({
    id: z.string(),
    domain: z.string(),
    subscriberId: z.string().nullable(),
    impu: z.string(),
    impi: z.string(),
    secretKind: z.enum(['digest', 'aka']).openapi({ description: 'the secret itself is never returned' }),
    wssServer: z.string().nullable(),
  })
  .openapi('ImsCredential');

export const SipMappingBody = z
  .strictObject({
    domain: DomainName,
    subscriberId: z
      .string()
      .min(1)
      .max(128)
      .openapi({ description: 'the subscriber the identity is bound to' }),
    impu: Impu,
    impi: Impi.openapi({ description: 'the private identity the IMS core knows the IMPU by' }),
  })
  .openapi('SipMappingBody');

export const SipMappingView = z
  .strictObject({
    id: z.string(),
    domain: z.string(),
    subscriberId: z.string(),
    impu: z.string(),
    impi: z.string(),
  })
  .openapi('SipMapping');

export const CapabilitiesView = z
  .strictObject({
    subject: z.string(),
    domain: z.string(),
    role: Role,
    capabilities: z.array(z.string()),
  })
  .openapi('Capabilities');

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  })
  .openapi('Problem');

export const DomainInUseProblem = Problem.extend({
  children: z.array(z.string()).openapi({ description: 'the child domains (deleted only on their own)' }),
  contents: z.strictObject({
    subscribers: z.number().int(),
    imsCredentials: z.number().int(),
    sipMappings: z.number().int(),
    activeLeases: z.number().int(),
  }),
}).openapi('DomainInUseProblem');

export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
export const DomainParam = z.object({ name: DomainName.openapi({ param: { name: 'name', in: 'path' } }) });
