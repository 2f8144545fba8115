/**
 * Keeps the string methods every scanner of this library calls (`charCodeAt`, `indexOf`,
 * `slice`, ...) cheap to look up.
 *
 * V8 compiles `s.charCodeAt(i)` on a primitive string to a direct character load only while
 * String.prototype has fast properties. Defining a class that extends String (for example
 * @redis/client's `VerbatimString`, loaded with the Redis stores) switches String.prototype to
 * dictionary mode, and V8 switches a prototype back only when a property load misses on an
 * *object* whose prototype chain holds it, which code working on primitive strings never does.
 * From then on every such load in optimised code calls the generic load IC: measured at 12 % of
 * the eP-CSCF's CPU (BENCHMARKS.md, "Forwarding-path CPU").
 *
 * `restoreFastStringMethods()` provokes those misses once: a property load on String objects
 * with two different shapes, repeated until the load has its inline cache. It changes no
 * behaviour, only how V8 stores String.prototype. Call it after the process has loaded its
 * modules (a role's start), and again after loading code that subclasses String.
 */
export function restoreFastStringMethods(): void {
  const receivers: readonly object[] = [new String(''), Object.create(String.prototype) as object];
  let found = 0;
  // Feedback for a load is allocated after a few calls; the misses that matter come after it.
  for (let i = 0; i < 256; i++) if (methodOf(receivers[i & 1]!) !== undefined) found++;
  if (found !== 256) throw new Error('String.prototype.charCodeAt is missing');
}

function methodOf(o: object): unknown {
  return (o as { charCodeAt?: unknown }).charCodeAt;
}
