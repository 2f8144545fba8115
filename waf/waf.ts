/**
 * The WAF assembled: storage, signing keys, the oidc-provider instance (built lazily, once the
 * issuer is known: the default issuer needs the HTTP server's origin, known after it listens),
 * login pages, federation, metrics and the maintenance timer (key refresh and rotation).
 * `createWaf` gives a node:http listener to mount at `mountPath`; `startWaf` (start-waf.ts)
 * also runs an HTTP server for it.
 */
import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import { Registry } from 'prom-client';
import { createClient } from 'redis';
import { formatConfigIssues, readEnvironment } from '../app/config.ts';
import type { HttpListener } from '../app/http-server.ts';
import { createLogger, type Logger } from '../app/logger.ts';
import type { SubscriberDirectory } from '../store/directory.ts';
import type { TokenAuthority } from '../token/authority.ts';
import { AccountPolicy } from './account-policy.ts';
import {
  clientMetadata,
  type FileClient,
  RESOURCE_CLIENT_ID,
  readClientsFile,
  WIC_CLIENT_ID,
  wicRedirectUris,
} from './clients.ts';
import { crossCheck, WAF_SCHEMA, type WafConfig } from './config.ts';
import { Upstream } from './federation/upstream.ts';
import { registerGuestGrant } from './guest-grant.ts';
import { PasswordLogin } from './interaction/login.ts';
import { InteractionRoutes } from './interaction/routes.ts';
import { type LoginThrottle, MemoryLoginThrottle, RedisLoginThrottle } from './interaction/throttle.ts';
import { KeyRing, type PublicJwk } from './keys/key-ring.ts';
import { wafListener } from './listener.ts';
import { createWafMetrics } from './metrics.ts';
import { buildProvider } from './provider.ts';
import { MemoryStorage } from './storage/memory-storage.ts';
import { RedisStorage } from './storage/redis-storage.ts';
import type { WafStorage } from './storage/storage.ts';

export const WAF_MOUNT_PATH = '/oauth';
/** how often an instance re-reads the signing keys (and rotates when due) */
const MAINTENANCE_MS = 60_000;
const CLOCK_SKEW_MS = 60_000;
const ORIGIN_CACHE_MS = 30_000;
const ORIGIN_MISS_MS = 1_000;

export interface WafOptions {
  readonly directory: SubscriberDirectory;
  /** the public origins of the HTTP server (scheme://host:port), known once it listens */
  readonly origins: () => readonly string[];
  /** WAF_* variables (README.md); default none, i.e. every default */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly mountPath?: string;
  readonly logger?: Logger;
  readonly registry?: Registry;
  /** ms since the epoch, for keys, throttling and the in-memory storage; default Date.now */
  readonly now?: () => number;
  /** default: Redis when REDIS_URL is set, else in memory */
  readonly storage?: WafStorage;
}

export interface Waf {
  readonly listener: HttpListener;
  readonly authority: TokenAuthority;
  readonly config: WafConfig;
  readonly storage: WafStorage;
  issuer(): string;
  jwks(): { keys: PublicJwk[] };
  /** Adds a new signing key; the old public key stays in the JWKS until its tokens have expired. */
  rotateKeys(): Promise<void>;
  /**
   * Re-reads the signing keys (another instance may have rotated), rotates when WAF_KEY_ROTATION
   * is due and forgets keys out of the JWKS; runs every minute by itself.
   */
  refreshKeys(): Promise<void>;
  /** The current oidc-provider instance (built on first use). */
  provider(): Promise<Provider>;
  stop(): Promise<void>;
}

/** Logs Redis connection errors at most once a minute (the client retries by itself). */
function redisError(logger: Logger): (error: Error) => void {
  let last = -Infinity;
  return (error) => {
    if (Date.now() - last < 60_000) return;
    last = Date.now();
    logger.warn({ error: error.message }, 'Redis connection error (retrying)');
  };
}

/**
 * The failed-login throttle: shared by every instance on Redis when REDIS_URL is set (the same
 * condition that picks RedisStorage; a client of its own on the same URL), else in this process.
 */
async function openThrottle(config: WafConfig, now: () => number, logger: Logger): Promise<LoginThrottle> {
  const options = {
    maxFailures: config.loginMaxFailures,
    maxAddressFailures: config.loginMaxAddressFailures,
    windowMs: config.loginWindow * 1000,
    alarmFailures: config.loginAlarmFailures,
    now,
  };
  if (config.redisUrl === undefined) return new MemoryLoginThrottle(options);
  const client = createClient({ url: config.redisUrl });
  client.on('error', redisError(logger));
  await client.connect();
  return new RedisLoginThrottle({
    ...options,
    client,
    prefix: config.redisPrefix,
    onError: (error) => logger.warn({ err: error }, 'login alarm re-read from Redis failed'),
  });
}

/** The WAF_* configuration from `env`; throws naming every variable at fault. */
export function readWafConfig(env: Readonly<Record<string, string | undefined>>): WafConfig {
  const read = readEnvironment(WAF_SCHEMA, env);
  if (!read.ok) throw new Error(formatConfigIssues(read.issues));
  const issues = crossCheck(read.config);
  if (issues.length > 0) throw new Error(formatConfigIssues(issues));
  return read.config;
}

export async function createWaf(options: WafOptions): Promise<Waf> {
  const config = readWafConfig(options.env ?? {});
  const mountPath = options.mountPath ?? WAF_MOUNT_PATH;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const { directory } = options;
  const ownsStorage = options.storage === undefined;
  const storage =
    options.storage ??
    (config.redisUrl === undefined
      ? new MemoryStorage({ now })
      : await RedisStorage.open({
          url: config.redisUrl,
          prefix: config.redisPrefix,
          now,
          onError: redisError(logger),
        }));
  const fileClients: FileClient[] =
    config.clientsFile === undefined ? [] : readClientsFile(config.clientsFile);
  const resourceSecret = config.resourceClientSecret ?? randomBytes(32).toString('base64url');
  const cookieKeys = (await storage.sharedSecret('cookie-keys', randomBytes(32).toString('base64url'))).split(
    ',',
  );
  const retentionMs = config.accessTokenTtl * 1000 + MAINTENANCE_MS + CLOCK_SKEW_MS;
  const ring = await KeyRing.open({ storage, now, retentionMs, alg: config.signingAlg });

  const throttle = await openThrottle(config, now, logger);
  const metrics = createWafMetrics(options.registry ?? new Registry(), () => throttle.alarm());
  const policy = new AccountPolicy({
    storage,
    exclusiveLogin: config.exclusiveLogin,
    maxGrantsPerUser: config.maxTokensPerUser,
    metrics,
    logger,
  });

  const issuer = (): string => {
    if (config.issuer !== undefined) return config.issuer;
    const origin = options.origins()[0];
    if (origin === undefined)
      throw new Error('the WAF issuer is not known before the HTTP server listens; set WAF_ISSUER');
    return `${origin}${mountPath}`;
  };

  // Origins a browser may call the token endpoints from as the wic (CORS): ours, the wic's
  // redirect URIs', and every domain's allowed origins (read from the directory, cached).
  // Re-read every ORIGIN_CACHE_MS, and at most once a second when an unknown origin shows up
  // (a domain provisioned a moment ago).
  let domainOrigins: { at: number; origins: Set<string> } = { at: -Infinity, origins: new Set() };
  const refreshDomainOrigins = async (origin: string) => {
    const age = now() - domainOrigins.at;
    if (age < ORIGIN_CACHE_MS && (domainOrigins.origins.has(origin) || age < ORIGIN_MISS_MS)) return;
    const domains = await directory.listDomains();
    domainOrigins = { at: now(), origins: new Set(domains.flatMap((d) => d.allowedOrigins)) };
  };
  const wicUris = () => wicRedirectUris(config.wicRedirectUris, options.origins());
  const corsAllowed = (origin: string, clientId: string): boolean => {
    if (clientId !== WIC_CLIENT_ID) return false;
    if (domainOrigins.origins.has(origin) || options.origins().includes(origin)) return true;
    return [issuer(), ...wicUris()].some((u) => URL.parse(u)?.origin === origin);
  };

  let built: { provider: Provider; kid: string; issuer: string } | undefined;
  const provider = async (): Promise<Provider> => {
    const iss = issuer();
    const kid = ring.active().kid;
    if (built !== undefined && built.kid === kid && built.issuer === iss) return built.provider;
    const p = buildProvider({
      issuer: iss,
      mountPath,
      config,
      storage,
      directory,
      signingKeys: ring.published(),
      cookieKeys,
      clients: clientMetadata({
        wicRedirectUris: wicUris(),
        resourceClientSecret: resourceSecret,
        fileClients,
      }),
      fileClients: new Map(fileClients.map((c) => [c.clientId, c])),
      policy,
      metrics,
      logger,
      corsAllowed,
    });
    registerGuestGrant(p, {
      directory,
      config,
      ownOrigins: () => [...options.origins(), new URL(iss).origin],
      signingKey: ring.active(),
    });
    built = { provider: p, kid, issuer: iss };
    logger.debug({ issuer: iss, kid }, 'oidc-provider instance built');
    return p;
  };

  const upstream =
    config.upstreamIssuer === undefined
      ? undefined
      : new Upstream({
          issuer: config.upstreamIssuer,
          clientId: config.upstreamClientId,
          clientSecret: config.upstreamClientSecret,
          storage,
          redirectUri: () => `${issuer()}/federation/callback`,
        });
  const interactions = new InteractionRoutes({
    provider,
    base: mountPath,
    login: new PasswordLogin({ directory, throttle, metrics, logger }),
    policy,
    directory,
    metrics,
    logger,
    trustProxy: config.trustProxy,
    federation:
      upstream === undefined
        ? undefined
        : {
            upstream,
            name:
              config.upstreamName === ''
                ? new URL(config.upstreamIssuer ?? '').hostname
                : config.upstreamName,
            createUsers: config.upstreamCreateUsers,
            forcedDomain: config.upstreamForcedDomain,
            newUserCaps: config.upstreamNewUserCaps,
          },
  });
  const listener = wafListener({
    mountPath,
    provider,
    beforeCors: refreshDomainOrigins,
    jwks: () => ring.jwks(),
    interactions,
    upstream,
    jwtDeps: (p) => ({ provider: p, storage, jwks: () => ring.jwks(), metrics, corsAllowed }),
    metrics,
    logger,
  });

  const maintain = async () => {
    if (await ring.refresh())
      logger.info({ kid: ring.active().kid }, 'signing key changed (another instance rotated)');
    if (config.keyRotation > 0 && ring.rotationDue(config.keyRotation * 3_600_000)) {
      const key = await ring.rotate();
      logger.info({ kid: key.kid }, 'signing key rotated');
    }
    await ring.prune();
  };
  const timer = setInterval(() => {
    maintain().catch((error: unknown) => logger.error({ err: error }, 'signing key maintenance failed'));
  }, MAINTENANCE_MS);
  timer.unref();

  return {
    listener,
    config,
    storage,
    authority: { issuer, resourceClient: { id: RESOURCE_CLIENT_ID, secret: resourceSecret } },
    issuer,
    jwks: () => ring.jwks(),
    rotateKeys: async () => {
      const key = await ring.rotate();
      logger.info({ kid: key.kid }, 'signing key rotated');
    },
    refreshKeys: maintain,
    provider,
    stop: async () => {
      clearInterval(timer);
      await throttle.close();
      if (ownsStorage) await storage.close();
    },
  };
}
