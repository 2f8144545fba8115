import { describe, expect, it } from 'vitest';
import { consentPage, errorPage, escapeHtml, loginPage } from './pages.ts';

describe('WAF pages', () => {
  it('[WAF-pages-escape] MUST escape every value it puts in a page', () => {
    const evil = `"><img src=x onerror=alert('x')>&`;
    expect(escapeHtml(evil)).toBe('&quot;&gt;&lt;img src=x onerror=alert(&#39;x&#39;)&gt;&amp;');
    const pages = [
      loginPage({
        action: '/a',
        abortAction: '/b',
        clientName: evil,
        username: evil,
        error: evil,
        upstream: { name: evil, href: evil },
      }),
      consentPage({ action: '/a', abortAction: '/b', clientName: evil, scopes: [evil], resources: [evil] }),
      errorPage({ error: evil, error_description: evil }),
    ];
    for (const html of pages) {
      expect(html).not.toContain('<img');
      expect(html).not.toContain(`'x'`);
      expect(html).toContain('&lt;img src=x onerror=alert(&#39;x&#39;)&gt;');
    }
  });

  it('[WAF-pages-accessible] MUST label every field, announce the error and mark the language', () => {
    const html = loginPage({
      action: '/a',
      abortAction: '/b',
      clientName: 'App',
      error: 'Wrong user name or password.',
    });
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<label for="username">[\s\S]*<input id="username"/);
    expect(html).toMatch(/<label for="password">[\s\S]*<input id="password"[^>]*type="password"/);
    expect(html).toContain('role="alert"');
    expect(html).toContain('aria-describedby="form-error"');
    expect(html).toContain('autocomplete="current-password"');
  });
});
