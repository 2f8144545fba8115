/**
 * The WAF's HTML pages: login, consent, errors and logout. Plain server-rendered HTML, no
 * script, one small inline style; every value from a request or the directory goes through
 * `escapeHtml`. Forms carry labels, the error is announced (role="alert") and focus lands on the
 * first field.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d1f23}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 3px #0003}
h1{font-size:1.5rem;margin-top:0}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #767676;border-radius:.25rem}
button,.button{display:block;width:100%;margin-top:1rem;padding:.7rem;font-size:1rem;border:0;border-radius:.25rem;
background:#0b57d0;color:#fff;cursor:pointer;text-align:center;text-decoration:none;box-sizing:border-box}
button.secondary,.button.secondary{background:#e8eaed;color:#1d1f23}
.error{padding:.75rem;background:#fdecea;border:1px solid #d93025;border-radius:.25rem}
ul{padding-left:1.25rem}:focus-visible{outline:3px solid #f9ab00;outline-offset:2px}`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}

function errorBox(message: string | undefined): string {
  return message === undefined
    ? ''
    : `<p class="error" role="alert" id="form-error">${escapeHtml(message)}</p>`;
}

export interface LoginPageOptions {
  /** where the form posts (the interaction's login action) */
  readonly action: string;
  /** the abort action (back to the client with access_denied) */
  readonly abortAction: string;
  readonly clientName: string;
  readonly username?: string | undefined;
  readonly error?: string | undefined;
  /** "Sign in with <name>" link to the upstream provider, when federation is configured */
  readonly upstream?: { readonly name: string; readonly href: string } | undefined;
}

export function loginPage(o: LoginPageOptions): string {
  const described = o.error === undefined ? '' : ' aria-describedby="form-error"';
  const upstream =
    o.upstream === undefined
      ? ''
      : `<p>or</p><a class="button secondary" href="${escapeHtml(o.upstream.href)}">Sign in with ${escapeHtml(o.upstream.name)}</a>`;
  return page(
    'Sign in',
    `<p>to continue to <strong>${escapeHtml(o.clientName)}</strong></p>
${errorBox(o.error)}
<form method="post" action="${escapeHtml(o.action)}" autocomplete="on">
<label for="username">User name (user@domain)</label>
<input id="username" name="username" type="text" inputmode="email" autocomplete="username" required autofocus
 autocapitalize="none" spellcheck="false" value="${escapeHtml(o.username ?? '')}"${described}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}>
<button type="submit">Sign in</button>
</form>
${upstream}
<form method="post" action="${escapeHtml(o.abortAction)}"><button type="submit" class="secondary">Cancel</button></form>`,
  );
}

export interface ConsentPageOptions {
  readonly action: string;
  readonly abortAction: string;
  readonly clientName: string;
  readonly scopes: readonly string[];
  readonly resources: readonly string[];
}

export function consentPage(o: ConsentPageOptions): string {
  const items = [...o.scopes.map((s) => `scope ${s}`), ...o.resources.map((r) => `access to ${r}`)];
  const list = items.length === 0 ? '' : `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  return page(
    'Allow access',
    `<p><strong>${escapeHtml(o.clientName)}</strong> asks for:</p>
${list}
<form method="post" action="${escapeHtml(o.action)}"><button type="submit" autofocus>Allow</button></form>
<form method="post" action="${escapeHtml(o.abortAction)}"><button type="submit" class="secondary">Deny</button></form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<p role="alert">${escapeHtml(message)}</p>`);
}

/** oidc-provider's error rendering (`renderError`): the error code and its description. */
export function errorPage(out: object): string {
  const rows = Object.entries(out)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  return page('Something went wrong', `<dl role="alert">${rows}</dl>`);
}

/** oidc-provider's logout confirmation (`logoutSource`): its form plus our buttons. */
export function logoutPage(form: string, host: string): string {
  return page(
    'Sign out',
    `<p>Do you want to sign out from ${escapeHtml(host)}?</p>
${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  );
}
