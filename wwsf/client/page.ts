/**
 * The web client's HTML page and its security headers. The page holds no script or style of
 * its own: one bundled script and one stylesheet from `assets/`, and two meta elements that
 * tell the script where the discovery document is and where it is served. The
 * Content-Security-Policy allows nothing else: scripts, styles and images from this origin,
 * fetch/WebSocket to this origin and to the named origins (the eP-CSCF's WSS URLs, the WAF),
 * media from the microphone and the peer connection (MediaStreams need no source).
 */
import type { ClientBundle } from './build.ts';

function escapeAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function indexHtml(o: {
  bundle: ClientBundle;
  basePath: string;
  discoveryPath: string;
  title: string;
}): string {
  const base = escapeAttr(o.basePath);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="wic-discovery" content="${escapeAttr(o.discoveryPath)}">
<meta name="wic-base" content="${base}">
<link rel="icon" href="data:,">
<title>${escapeAttr(o.title)}</title>
<link rel="stylesheet" href="${base}assets/${o.bundle.style.name}">
<script defer src="${base}assets/${o.bundle.script.name}"></script>
</head>
<body>
<main id="wic" aria-live="off"><noscript>The web phone needs JavaScript.</noscript></main>
<audio id="wic-remote-audio" autoplay></audio>
</body>
</html>
`;
}

/** The origin (scheme://host[:port]) of a URL, for a CSP source list; undefined if not a URL. */
export function sourceOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return undefined;
  }
}

/**
 * The Content-Security-Policy of the page. `host` and `secure` are the request's: `'self'`
 * covers ws(s) to the same host in CSP Level 3, but the explicit source also serves older engines.
 */
export function contentSecurityPolicy(o: {
  host: string;
  secure: boolean;
  connect: readonly string[];
}): string {
  const ws = `${o.secure ? 'wss' : 'ws'}://${o.host}`;
  const connect = new Set(["'self'", ws]);
  for (const c of o.connect) {
    const source = sourceOf(c);
    if (source !== undefined) connect.add(source);
  }
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob: mediastream:",
    `connect-src ${[...connect].join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Headers of every answer of the client routes. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'microphone=(self), camera=(self), geolocation=(), payment=()',
};
