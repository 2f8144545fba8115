/** The roles of TS 23.228 Annex U that this product runs, in start order (dependencies first). */
export const ROLE_NAMES = ['waf', 'wwsf', 'eims-agw', 'ep-cscf', 'xmpp'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export function isRoleName(text: string): text is RoleName {
  return (ROLE_NAMES as readonly string[]).includes(text);
}
