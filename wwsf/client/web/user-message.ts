/** What the user is told: a title, what happened, how serious it is, and what to do next. */

export type Severity = 'info' | 'warning' | 'error';
/** What the interface offers next to the message. */
export type Remedy = 'none' | 'retry' | 'sign-in' | 'settings';

export interface UserMessage {
  readonly title: string;
  readonly detail: string;
  readonly severity: Severity;
  readonly remedy: Remedy;
}

export const msg = (
  title: string,
  detail: string,
  severity: Severity = 'error',
  remedy: Remedy = 'none',
): UserMessage => ({ title, detail, severity, remedy });

/** `text (status reason)`, with whatever of the two is known. */
export function withReason(text: string, reason: string | undefined, status: number | undefined): string {
  const said = reason !== undefined && reason !== '' ? reason : undefined;
  if (said === undefined && status === undefined) return text;
  return `${text} (${[status, said].filter((x) => x !== undefined).join(' ')})`;
}
