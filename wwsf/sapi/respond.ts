/**
 * How the SAPI answers: validated JSON replies, problem documents for invalid input (naming
 * every field at fault), and the mapping of the directory's refusals onto HTTP statuses.
 */
import type { z } from '@hono/zod-openapi';
import type { DomainContents } from '../../store/directory.ts';
import {
  DirectoryConflict,
  DirectoryError,
  DirectoryMissing,
  DomainInUse,
} from '../../store/directory-errors.ts';
import {
  type FieldError,
  jsonPointer,
  PROBLEM_TYPE,
  type ProblemDocument,
  ProblemError,
} from '../problem.ts';
import { Problem } from './schemas.ts';

/** The problem responses every SAPI route may give, for the OpenAPI document. */
export function problems(...statuses: readonly (400 | 401 | 403 | 404 | 409 | 415 | 422)[]) {
  const content = { [PROBLEM_TYPE]: { schema: Problem } };
  const described: Record<number, string> = {
    400: 'malformed request (bad JSON, bad query or path parameter)',
    401: 'no or invalid access token',
    403: 'the token does not allow this',
    404: 'no such resource (or not visible to the caller)',
    409: 'a unique value is already in use',
    415: 'the body is not application/json',
    422: 'the body breaks the schema or references something missing',
  };
  return Object.fromEntries(statuses.map((s) => [s, { description: described[s] ?? 'error', content }]));
}

/** A JSON response of the OpenAPI document. */
export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** Checks a reply against its schema before it leaves: a mismatch is our bug (500), never sent. */
export function reply<S extends z.ZodType>(schema: S, value: z.input<S>): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`SAPI reply breaks its schema: ${parsed.error.message}`);
  return parsed.data;
}

function fieldErrors(error: z.ZodError, prefix: readonly string[]): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({
        pointer: jsonPointer([...prefix, ...issue.path, key]),
        detail: 'is not a known field',
      }));
    return [{ pointer: jsonPointer([...prefix, ...issue.path]), detail: issue.message }];
  });
}

/**
 * A request that breaks its schema: a body is 422, a query or path parameter 400; each field at
 * fault named by a JSON Pointer (`/query/<name>`, `/path/<name>` for parameters).
 */
export function validationProblem(error: z.ZodError, target: string): ProblemError {
  const body = target === 'json';
  const errors = fieldErrors(error, body ? [] : [target === 'param' ? 'path' : target]);
  return new ProblemError(
    body ? 422 : 400,
    body ? 'the body does not match the schema' : `bad ${target} parameter`,
    {
      errors,
    },
  );
}

/**
 * A domain that cannot be deleted (409): the problem document names the child domains and counts
 * the contents in extension members (RFC 9457 §3.2), `children` and `contents`.
 */
export class DomainInUseProblem extends ProblemError {
  constructor(private readonly refusal: DomainInUse) {
    const errors =
      refusal.children.length > 0
        ? [{ pointer: '/path/name', detail: `has child domains: ${refusal.children.join(', ')}` }]
        : [{ pointer: '/query/cascade', detail: 'is not true: the domain is deleted only when empty' }];
    super(409, refusal.message, { errors });
  }

  override document(): ProblemDocument & { children: string[]; contents: DomainContents } {
    return {
      ...super.document(),
      children: [...this.refusal.children],
      contents: { ...this.refusal.contents },
    };
  }
}

/** A directory refusal as a problem: conflict 409, a missing reference 422, an invalid value 422. */
export function directoryProblem(error: unknown): unknown {
  if (error instanceof DomainInUse) return new DomainInUseProblem(error);
  if (!(error instanceof DirectoryError)) return error;
  const pointer = `/${error.field.replace(/\./g, '/')}`;
  const errors = [{ pointer, detail: error.message }];
  if (error instanceof DirectoryConflict) return new ProblemError(409, error.message, { errors });
  if (error instanceof DirectoryMissing) return new ProblemError(422, error.message, { errors });
  return new ProblemError(422, error.message, { errors });
}

/** Runs a directory write, turning its refusals into problems. */
export async function write<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw directoryProblem(error);
  }
}
