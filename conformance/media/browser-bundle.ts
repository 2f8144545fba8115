/**
 * Browser bundles of the unmodified SIP libraries, built at test time: JsSIP's npm package has
 * no browser build and SIP.js ships ES modules with bare imports, so each is bundled with
 * esbuild (already in node_modules through tsx) into one IIFE that defines a global. The
 * bundle stays in memory and is served by the page server; nothing is written to the tree.
 */
import { createRequire } from 'node:module';
import { build } from 'esbuild';

export type SipLibrary = 'jssip' | 'sip.js';

/** The global each bundle defines, as a web page using the library's own build would see it. */
export const GLOBAL_NAME: Readonly<Record<SipLibrary, string>> = { jssip: 'JsSIP', 'sip.js': 'SIP' };

const require = createRequire(import.meta.url);

/** Bundles `library` (the version in node_modules) into one browser script. */
export async function bundleSipLibrary(library: SipLibrary): Promise<string> {
  const result = await build({
    entryPoints: [require.resolve(library)],
    bundle: true,
    format: 'iife',
    globalName: GLOBAL_NAME[library],
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced no output for ${library}`);
  return file.text;
}
