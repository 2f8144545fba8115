/**
 * Who may hold an IMS identity, across IMS credentials and SIP mappings: the rule both SQL
 * backends apply before writing either. Each backend looks up the current holders of the written
 * IMPU and IMPI (inside its write transaction) and asks `identityConflict`.
 *
 * - An IMPU names one identity: at most one IMS credential or SIP mapping has it.
 * - An IMPI with a secret here (an IMS credential) is never also mapped without one: a mapping
 *   would let its subscriber register, by Trusted Node Authentication, as an identity the
 *   directory holds for someone else (another subscriber, or the pool).
 * - Several SIP mappings may share an IMPI (an IMPI with several IMPUs) when they belong to one
 *   subscriber.
 */

import { DirectoryConflict } from './directory-errors.ts';

/** The current holders of an IMPU and an IMPI. */
export interface IdentityHolders {
  /** ids of the IMS credentials with this IMPU */
  readonly impuCredentials: readonly string[];
  /** ids of the SIP mappings with this IMPU */
  readonly impuMappings: readonly string[];
  /** ids of the IMS credentials with this IMPI */
  readonly impiCredentials: readonly string[];
  /** the SIP mappings with this IMPI */
  readonly impiMappings: readonly { readonly id: string; readonly subscriberId: string }[];
}

/** The object being written: an IMS credential or a SIP mapping. */
export interface WrittenIdentity {
  readonly kind: 'credential' | 'mapping';
  readonly id: string;
  readonly subscriberId: string | undefined;
  readonly impu: string;
  readonly impi: string;
}

const others = (ids: readonly string[], self: string | undefined): boolean => ids.some((id) => id !== self);

/** The conflict the write would cause, naming `impu` or `impi`; undefined when there is none. */
export function identityConflict(
  holders: IdentityHolders,
  written: WrittenIdentity,
): DirectoryConflict | undefined {
  const asCredential = written.kind === 'credential' ? written.id : undefined;
  const asMapping = written.kind === 'mapping' ? written.id : undefined;
  if (others(holders.impuCredentials, asCredential) || others(holders.impuMappings, asMapping))
    return new DirectoryConflict('impu', written.impu);
  if (others(holders.impiCredentials, asCredential)) return new DirectoryConflict('impi', written.impi);
  const mapped = holders.impiMappings.filter((m) => m.id !== asMapping);
  if (written.kind === 'credential' && mapped.length > 0)
    return new DirectoryConflict(
      'impi',
      written.impi,
      `impi ${JSON.stringify(written.impi)} is used by a SIP mapping`,
    );
  if (mapped.some((m) => m.subscriberId !== written.subscriberId))
    return new DirectoryConflict(
      'impi',
      written.impi,
      `impi ${JSON.stringify(written.impi)} is mapped to another subscriber`,
    );
  return undefined;
}
