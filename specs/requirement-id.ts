/**
 * Requirement ids: `<DOC>-<clause>-<short-slug>`, e.g. `RFC3261-17.1.1.2-timerA`.
 * DOC is the document prefix (RFC3261, TS24229, HARNESS, ...): upper-case letters and digits
 * before the first `-`. The clause and slug are letters, digits, `.` and `_`, joined by `-`.
 */

const DOCUMENT = '[A-Z][A-Z0-9]*';
const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._]*';

/** A well-formed catalogue id: a document prefix, then at least a clause and a slug. */
const REQUIREMENT_ID = new RegExp(`^${DOCUMENT}(?:-${SEGMENT}){2,}$`);

/**
 * What counts as a requirement tag inside a test title: `[DOC-...]`. Looser than REQUIREMENT_ID
 * (one segment after the prefix is enough) so that a malformed tag is reported as unknown
 * instead of being silently ignored.
 */
const TAG = new RegExp(`\\[(${DOCUMENT}(?:-${SEGMENT})+)\\]`, 'g');

export function isRequirementId(text: string): boolean {
  return REQUIREMENT_ID.test(text);
}

/** The document prefix of an id: everything before the first `-`. */
export function documentOf(id: string): string {
  const dash = id.indexOf('-');
  return dash < 0 ? id : id.slice(0, dash);
}

/** Every `[DOC-...]` tag in a test title, in order, without the brackets. */
export function tagsInTitle(title: string): string[] {
  return Array.from(title.matchAll(TAG), (match) => match[1] ?? '').filter((id) => id !== '');
}
