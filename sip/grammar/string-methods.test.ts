import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { restoreFastStringMethods } from './string-methods.ts';

const MODULE = fileURLToPath(new URL('./string-methods.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs in a Node process of its own, where V8's %HasFastProperties tells how String.prototype
 * is stored: after `class extends String` (what @redis/client does) and after the repair.
 */
function storageAfterSubclass(repair: boolean): { subclassed: boolean; repaired: boolean } {
  const script = [
    `import { restoreFastStringMethods } from ${JSON.stringify(MODULE)};`,
    "const fast = new Function('o', 'return %HasFastProperties(o)');",
    'class Verbatim extends String {}',
    "new Verbatim('x');",
    'const subclassed = fast(String.prototype);',
    `if (${repair}) restoreFastStringMethods();`,
    'console.log(JSON.stringify({ subclassed, repaired: fast(String.prototype) }));',
  ].join('\n');
  const out = execFileSync(
    process.execPath,
    ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: REPO, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as { subclassed: boolean; repaired: boolean };
}

describe('restoreFastStringMethods', () => {
  it('[DESIGN-speed-fast_string_methods] gives String.prototype fast properties back after a String subclass made it a dictionary', () => {
    expect(storageAfterSubclass(false)).toEqual({ subclassed: false, repaired: false });
    expect(storageAfterSubclass(true)).toEqual({ subclassed: false, repaired: true });
  });

  it('[DESIGN-speed-fast_string_methods] changes no string behaviour', () => {
    restoreFastStringMethods();
    expect('SIP/2.0'.charCodeAt(3)).toBe(0x2f);
    expect('a,b'.split(',')).toEqual(['a', 'b']);
    expect(Object.getOwnPropertyNames(String.prototype)).toContain('charCodeAt');
  });
});
