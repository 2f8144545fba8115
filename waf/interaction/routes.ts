/**
 * The interaction pages oidc-provider sends the browser to (`<mount>/interaction/<uid>`):
 *
 *   GET  <uid>                    the login page (or the consent page of third-party clients)
 *   POST <uid>/login              user@domain + password
 *   POST <uid>/confirm            consent given
 *   POST <uid>/abort              back to the client with access_denied
 *   GET  <uid>/upstream           off to the upstream provider (federation)
 *   GET  <uid>/upstream/return    back from it (via <mount>/federation/callback)
 *
 * The interaction cookie oidc-provider set for this path must match `uid`. A login runs the
 * account policy (exclusive login) before it completes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import type { Logger } from '../../app/logger.ts';
import type { SubscriberDirectory } from '../../store/directory.ts';
import type { AccountPolicy } from '../account-policy.ts';
import { mapUpstreamUser } from '../federation/mapping.ts';
import type { Upstream } from '../federation/upstream.ts';
import {
  BodyTooLarge,
  isForm,
  parseForm,
  readBody,
  redirect,
  sendHtml,
  sourceAddress,
} from '../http-util.ts';
import type { WafMetrics } from '../metrics.ts';
import type { PasswordLogin } from './login.ts';
import { consentPage, loginPage, messagePage } from './pages.ts';

export interface FederationDeps {
  readonly upstream: Upstream;
  readonly name: string;
  readonly createUsers: boolean;
  readonly forcedDomain: string | undefined;
  readonly newUserCaps: readonly string[];
}

export interface InteractionDeps {
  readonly provider: () => Promise<Provider>;
  readonly base: string;
  readonly login: PasswordLogin;
  readonly policy: AccountPolicy;
  readonly directory: SubscriberDirectory;
  readonly metrics: WafMetrics;
  readonly logger: Logger;
  readonly trustProxy: boolean;
  readonly federation: FederationDeps | undefined;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

async function clientName(provider: Provider, details: Interaction): Promise<string> {
  const id = String(details.params.client_id ?? '');
  const client = await provider.Client.find(id);
  return client?.clientName ?? id;
}

export class InteractionRoutes {
  constructor(private readonly deps: InteractionDeps) {}

  /** `rest` is the path after `<mount>/interaction/`. */
  async handle(rest: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [uid = '', ...tail] = rest.split('/');
    const action = tail.join('/');
    const provider = await this.deps.provider();
    let details: Interaction;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      sendHtml(
        res,
        400,
        messagePage(
          'Sign-in expired',
          'This sign-in has expired or cookies are blocked. Go back to the application and start again.',
        ),
      );
      return;
    }
    if (details.uid !== uid) {
      sendHtml(
        res,
        400,
        messagePage(
          'Sign-in mismatch',
          'This page belongs to another sign-in. Go back to the application and start again.',
        ),
      );
      return;
    }
    const route = `${req.method} ${action}`;
    if (route === 'GET ' || route === 'HEAD ') return this.show(provider, details, req, res);
    if (route === 'POST login') return this.password(provider, details, req, res);
    if (route === 'POST confirm') return this.confirm(provider, details, req, res);
    if (route === 'POST abort')
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
    if (route === 'GET upstream' && this.deps.federation !== undefined)
      return redirect(res, await this.deps.federation.upstream.start(uid));
    if (route === 'GET upstream/return' && this.deps.federation !== undefined)
      return this.upstreamReturn(provider, details, this.deps.federation, req, res);
    sendHtml(res, 404, messagePage('Not found', 'There is no such page.'));
  }

  private links(uid: string) {
    const at = `${this.deps.base}/interaction/${uid}`;
    return {
      login: `${at}/login`,
      confirm: `${at}/confirm`,
      abort: `${at}/abort`,
      upstream: `${at}/upstream`,
    };
  }

  private async show(
    provider: Provider,
    details: Interaction,
    _req: IncomingMessage,
    res: ServerResponse,
    error?: { status: number; message: string; username?: string; headers?: Record<string, string> },
  ): Promise<void> {
    const links = this.links(details.uid);
    const name = await clientName(provider, details);
    if (details.prompt.name === 'login' || error !== undefined) {
      const fed = this.deps.federation;
      const html = loginPage({
        action: links.login,
        abortAction: links.abort,
        clientName: name,
        username:
          error?.username ??
          (typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined),
        error: error?.message,
        upstream: fed === undefined ? undefined : { name: fed.name, href: links.upstream },
      });
      sendHtml(res, error?.status ?? 200, html, error?.headers);
      return;
    }
    const missing = details.prompt.details;
    const resources = Object.keys(
      (missing.missingResourceScopes as Record<string, unknown> | undefined) ?? {},
    );
    sendHtml(
      res,
      200,
      consentPage({
        action: links.confirm,
        abortAction: links.abort,
        clientName: name,
        scopes: stringList(missing.missingOIDCScope),
        resources,
      }),
    );
  }

  private async password(
    provider: Provider,
    details: Interaction,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    let form: Map<string, string> | undefined;
    try {
      form = isForm(req) ? parseForm(await readBody(req, 16 * 1024)) : undefined;
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
    }
    const username = form?.get('username') ?? '';
    if (details.prompt.name !== 'login' || form === undefined)
      return this.show(provider, details, req, res, {
        status: 400,
        message: 'Enter your user name and password.',
        username,
      });
    const address = sourceAddress(req, this.deps.trustProxy);
    const result = await this.deps.login.login(username, form.get('password') ?? '', address);
    if (!result.ok) {
      const headers =
        result.retryAfterS === undefined ? undefined : { 'retry-after': String(result.retryAfterS) };
      return this.show(provider, details, req, res, {
        status: result.status,
        message: result.message,
        username,
        ...(headers === undefined ? {} : { headers }),
      });
    }
    await this.deps.policy.onLogin(result.subscriber.id, details.session?.cookie);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: result.subscriber.id, amr: ['pwd'] } },
      { mergeWithLastSubmission: false },
    );
  }

  private async confirm(
    provider: Provider,
    details: Interaction,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const accountId = details.session?.accountId;
    const clientId = String(details.params.client_id ?? '');
    if (details.prompt.name !== 'consent' || accountId === undefined) {
      sendHtml(res, 400, messagePage('Nothing to confirm', 'This sign-in is not waiting for consent.'));
      return;
    }
    const existing = details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId);
    const grant = existing ?? new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details;
    grant.addOIDCScope(stringList(missing.missingOIDCScope));
    grant.addOIDCClaims(stringList(missing.missingOIDCClaims));
    for (const [resource, scopes] of Object.entries(
      (missing.missingResourceScopes as Record<string, unknown> | undefined) ?? {},
    ))
      grant.addResourceScope(resource, stringList(scopes));
    const grantId = await grant.save();
    await this.deps.policy.afterGrant(accountId);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  private async upstreamReturn(
    provider: Provider,
    details: Interaction,
    fed: FederationDeps,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const outcome = await fed.upstream.finish(details.uid, query);
    const mapped = outcome.ok
      ? await mapUpstreamUser(outcome.claims, {
          directory: this.deps.directory,
          createUsers: fed.createUsers,
          forcedDomain: fed.forcedDomain,
          newUserCaps: fed.newUserCaps,
        })
      : outcome;
    if (!mapped.ok) {
      this.deps.metrics.logins.inc({ outcome: 'federation_refused' });
      this.deps.logger.info({ reason: mapped.reason }, 'federated login refused');
      return this.show(provider, details, req, res, {
        status: 403,
        message: `Sign-in with ${fed.name} refused: ${mapped.reason}.`,
      });
    }
    this.deps.metrics.logins.inc({ outcome: 'federated' });
    if (mapped.created)
      this.deps.logger.info(
        { subscriber: mapped.subscriber.id, domain: mapped.subscriber.domain },
        'subscriber created on first federated login',
      );
    await this.deps.policy.onLogin(mapped.subscriber.id, details.session?.cookie);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: mapped.subscriber.id, amr: ['fed'] } },
      { mergeWithLastSubmission: false },
    );
  }
}
