import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardDirectory } from './exit-guard.ts';

export interface TempDir {
  readonly path: string;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): void;
}

/** A fresh directory under os.tmpdir(), removed by `remove()` or, failing that, at process exit. */
export function createTempDir(label: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `webrtc-ims-${label}-`));
  const unguard = guardDirectory(path);
  return {
    path,
    remove: () => {
      unguard();
      rmSync(path, { recursive: true, force: true });
    },
  };
}
