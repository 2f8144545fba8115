/**
 * The web client's controller: loads the client configuration from the WWSF's discovery
 * document, shows the sign-in screen, finishes a WAF sign-in on the way back from the login page,
 * starts the phone with the credentials chosen, keeps a web token fresh (TokenKeeper) and goes
 * back to sign-in when it cannot. Nothing here knows a URL: the discovery document names them.
 */
import { AuthFlow, type StoredTokens } from './auth-flow.ts';
import { type ClientConfig, parseDiscovery } from './discovery.ts';
import { h, replace } from './dom.ts';
import type { Failure, Remedy } from './failures.ts';
import { OAuthError } from './oauth.ts';
import { PhoneSession } from './phone-session.ts';
import type { SipCredentials } from './sip-phone.ts';
import { browserTimers, TokenKeeper } from './token-keeper.ts';
import { NoticeView } from './views/notice-view.ts';
import { type ImsCredentialsInput, SignInView } from './views/sign-in-view.ts';

export interface BootOptions {
  readonly root: HTMLElement;
  readonly remoteAudio: HTMLAudioElement;
  /** path of the discovery document (from the page's meta, set by the server) */
  readonly discoveryPath: string;
  /** path the client is served at, ending in `/` */
  readonly basePath: string;
}

const RETURN_KEY = 'wic.return';

function signInFailure(error: unknown): Failure {
  if (error instanceof OAuthError)
    return { kind: 'sign-in', error: error.error, description: error.description };
  return {
    kind: 'sign-in',
    error: 'server_error',
    description: error instanceof Error ? error.message : String(error),
  };
}

export class Controller {
  private config: ClientConfig | undefined;
  private auth: AuthFlow | undefined;
  private signIn: SignInView | undefined;
  private session: PhoneSession | undefined;
  private keeper: TokenKeeper | undefined;
  private tokens: StoredTokens | undefined;
  /** the page's own query (?domain=, ?call=), kept across the WAF redirect */
  private readonly query: URLSearchParams;

  constructor(private readonly o: BootOptions) {
    const here = new URL(location.href);
    const back = sessionStorage.getItem(RETURN_KEY);
    this.query =
      here.searchParams.has('code') || here.searchParams.has('error')
        ? new URLSearchParams(back ?? '')
        : here.searchParams;
  }

  async boot(): Promise<void> {
    this.loading('Loading…');
    const config = await this.discover(undefined);
    if (config === undefined) return;
    this.config = config;
    this.auth =
      config.authorization === undefined
        ? undefined
        : new AuthFlow({
            authorization: config.authorization,
            domain: config.domain,
            fetch: (url, init) => fetch(url, init),
            storage: sessionStorage,
            redirectUri: `${location.origin}${this.o.basePath}callback`,
            navigate: (url) => location.assign(url),
            now: () => Date.now(),
          });
    const auth = this.auth;
    if (auth !== undefined) {
      try {
        const done = await auth.complete(location.href);
        if (done !== undefined || new URL(location.href).pathname.endsWith('/callback')) this.cleanUrl();
        const tokens = done ?? auth.stored();
        if (tokens !== undefined) return this.startWithToken(tokens);
      } catch (error) {
        this.cleanUrl();
        return this.showSignIn(signInFailure(error));
      }
    }
    this.showSignIn(undefined);
  }

  private cleanUrl(): void {
    const q = this.query.toString();
    history.replaceState(null, '', `${this.o.basePath}${q === '' ? '' : `?${q}`}`);
    sessionStorage.removeItem(RETURN_KEY);
  }

  /** The discovery document, as an anonymous visitor or as the token's holder. */
  private async discover(token: string | undefined): Promise<ClientConfig | undefined> {
    const url = new URL(this.o.discoveryPath, location.href);
    const domain = this.query.get('domain');
    if (domain !== null) url.searchParams.set('domain', domain);
    let detail: string;
    try {
      const response = await fetch(url, {
        headers: {
          accept: 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        cache: token === undefined ? 'default' : 'no-store',
      });
      if (response.ok) {
        const parsed = parseDiscovery(await response.json(), location.href);
        if (parsed.ok) return parsed.value;
        detail = parsed.reason;
      } else {
        const problem = (await response.json().catch(() => undefined)) as { title?: unknown } | undefined;
        detail = typeof problem?.title === 'string' ? problem.title : `HTTP ${response.status}`;
        if (response.status === 401 && token !== undefined) {
          this.showSignIn({ kind: 'token-expired', detail });
          return undefined;
        }
      }
    } catch (error) {
      detail = error instanceof Error ? error.message : String(error);
    }
    this.showError({ kind: 'discovery', detail });
    return undefined;
  }

  private loading(text: string): void {
    replace(this.o.root, h('div', { class: 'screen loading', role: 'status', 'aria-live': 'polite' }, text));
  }

  private showError(failure: Failure): void {
    this.signIn = undefined;
    // The discovery failure's remedy is `retry`: the notice's own button boots again.
    const notice = new NoticeView({ dismiss: () => undefined, remedy: () => void this.boot() });
    notice.update(failure);
    replace(
      this.o.root,
      h('div', { class: 'screen error', 'data-screen': 'error' }, h('h1', {}, 'Web phone'), notice.el),
    );
  }

  private showSignIn(notice: Failure | undefined): void {
    const config = this.config;
    if (config === undefined) return;
    const view = new SignInView(config, {
      web: () => void this.beginWeb(),
      ims: (input) => void this.startWithIms(input),
      guest: () => void this.startGuest(),
      dismiss: () => view.update({ busy: undefined, notice: undefined }),
    });
    this.signIn = view;
    view.update({ busy: undefined, notice });
    replace(this.o.root, view.el);
    view.el.querySelector<HTMLElement>('button, input')?.focus();
  }

  private async beginWeb(): Promise<void> {
    if (this.auth === undefined) return;
    this.signIn?.update({ busy: 'Opening the sign-in page…', notice: undefined });
    try {
      sessionStorage.setItem(RETURN_KEY, this.query.toString());
      await this.auth.begin();
    } catch (error) {
      this.signIn?.update({ busy: undefined, notice: signInFailure(error) });
    }
  }

  private async startGuest(): Promise<void> {
    if (this.auth === undefined) return;
    this.signIn?.update({ busy: 'Getting guest access…', notice: undefined });
    try {
      await this.startWithToken(await this.auth.guest());
    } catch (error) {
      this.signIn?.update({ busy: undefined, notice: signInFailure(error) });
    }
  }

  private async startWithIms(input: ImsCredentialsInput): Promise<void> {
    const config = this.config;
    if (config === undefined) return;
    await this.startPhone(
      config,
      { kind: 'digest', impu: input.impu, impi: input.impi, password: input.password },
      input.impu,
    );
  }

  private async startWithToken(tokens: StoredTokens): Promise<void> {
    const auth = this.auth;
    if (auth === undefined) return;
    this.loading('Signing in…');
    // With the token, the document names our identity and may add TURN servers of our own.
    const config = await this.discover(tokens.accessToken);
    if (config === undefined) return;
    this.tokens = tokens;
    const identity = config.identity;
    const impu = identity?.kind === 'subscriber' ? identity.impu : undefined;
    this.keeper?.stop();
    this.keeper = new TokenKeeper({
      timers: browserTimers,
      refresh: async () => auth.refresh(this.tokens ?? tokens),
      onToken: (set) => {
        this.tokens = { ...set, kind: tokens.kind, issuer: tokens.issuer };
        this.session?.setToken(set.accessToken);
      },
      onExpired: (detail) => {
        auth.forget();
        this.session?.fail({ kind: 'token-expired', detail });
      },
    });
    this.keeper.keep(tokens);
    const label = impu ?? (tokens.kind === 'guest' ? 'Guest' : 'Web user');
    await this.startPhone(
      config,
      { kind: 'bearer', impu, token: tokens.accessToken, account: tokens.kind },
      label,
    );
  }

  private async startPhone(config: ClientConfig, credentials: SipCredentials, label: string): Promise<void> {
    await this.session?.stop();
    const prefill = this.query.get('call') ?? undefined;
    const session = new PhoneSession({
      config,
      credentials,
      label,
      storage: localStorage,
      remoteAudio: this.o.remoteAudio,
      ...(prefill === undefined ? {} : { prefill }),
      onRefused: (failure) => {
        void session.stop();
        if (this.session === session) this.session = undefined;
        this.keeper?.stop();
        if (failure.kind === 'registration' && failure.bearerError === 'invalid_token') this.auth?.forget();
        this.showSignIn(failure);
      },
      onRemedy: (remedy) => this.remedy(remedy),
      onSignOut: () => void this.signOut(),
    });
    this.session = session;
    this.signIn = undefined;
    replace(this.o.root, session.view.el);
    session.start();
  }

  private remedy(remedy: Remedy): void {
    if (remedy === 'sign-in') void this.signOut(false);
    else if (remedy === 'retry' && this.session === undefined) void this.boot();
  }

  /** Unregisters, forgets the tokens and, after a web sign-in, ends the WAF session too. */
  private async signOut(endWafSession = true): Promise<void> {
    this.keeper?.stop();
    const session = this.session;
    this.session = undefined;
    this.loading('Signing out…');
    await session?.stop();
    const tokens = this.tokens;
    this.tokens = undefined;
    this.auth?.forget();
    if (endWafSession && tokens !== undefined && this.auth !== undefined) {
      const url = await this.auth.logoutUrl(tokens, `${location.origin}${this.o.basePath}`);
      if (url !== undefined) {
        location.assign(url);
        return;
      }
    }
    this.showSignIn(undefined);
  }
}
