import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PeerMissingError } from './errors.ts';

/** Directories searched after $PATH: Debian puts daemons in sbin, which a non-root PATH may lack. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export interface BinarySpec {
  /** Executable name, e.g. `rtpengine`. */
  readonly name: string;
  /** Debian package that installs it, e.g. `rtpengine-daemon`. */
  readonly debianPackage: string;
}

/** Absolute path of an executable, or a {@link PeerMissingError} naming the package to install. */
export function requireBinary(spec: BinarySpec): string {
  const found = findBinary(spec.name);
  if (found === undefined) throw new PeerMissingError(spec.name, spec.debianPackage);
  return found;
}

export function findBinary(name: string): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d.length > 0), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
