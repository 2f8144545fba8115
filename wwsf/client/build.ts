/**
 * Builds the web client: esbuild bundles web/main.ts (with JsSIP) into one script and
 * web/styles.css into one stylesheet, in memory, each named after its content hash so the
 * browser may cache it for good. Runs when the server starts (esbuild is then a runtime
 * dependency); nothing is written to disk.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface ClientAsset {
  /** file name under assets/, e.g. `wic-3f2a9c1b7d.js` */
  readonly name: string;
  readonly contentType: string;
  readonly body: Uint8Array;
  /** a strong ETag: the content hash */
  readonly etag: string;
}

export interface ClientBundle {
  readonly script: ClientAsset;
  readonly style: ClientAsset;
}

/** Browsers the bundle is compiled for: current Chromium and Firefox (ESR included). */
export const BROWSER_TARGETS = ['chrome109', 'firefox115', 'safari16'];

const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));

function asset(kind: 'js' | 'css', body: Uint8Array): ClientAsset {
  const hash = createHash('sha256').update(body).digest('hex');
  return {
    name: `wic-${hash.slice(0, 16)}.${kind}`,
    contentType: kind === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
    body,
    etag: `"${hash.slice(0, 32)}"`,
  };
}

export async function buildClient(o: { minify?: boolean } = {}): Promise<ClientBundle> {
  const minify = o.minify ?? true;
  const common = {
    bundle: true,
    write: false,
    minify,
    sourcemap: false,
    target: BROWSER_TARGETS,
    logLevel: 'silent',
    legalComments: 'none',
  } as const;
  const [js, css] = await Promise.all([
    build({
      ...common,
      entryPoints: [`${WEB_DIR}main.ts`],
      format: 'iife',
      platform: 'browser',
      // JsSIP logs through `debug`; keep it quiet unless a developer enables it.
      define: { 'process.env.NODE_ENV': '"production"', 'process.env.DEBUG': 'undefined' },
    }),
    build({ ...common, entryPoints: [`${WEB_DIR}styles.css`] }),
  ]);
  const script = js.outputFiles[0];
  const style = css.outputFiles[0];
  if (script === undefined || style === undefined) throw new Error('esbuild produced no web client bundle');
  return { script: asset('js', script.contents), style: asset('css', style.contents) };
}
