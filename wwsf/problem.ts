/**
 * RFC 9457 problem documents: every error the WWSF answers (discovery, TURN credentials, the
 * SAPI) is one of these, built by `ProblemError` and written by the one error handler of
 * app.ts. `errors` names the fields at fault with JSON Pointers (RFC 6901) into the request body
 * (or `/query/<name>`, `/path/<name>` for parameters).
 */

export const PROBLEM_TYPE = 'application/problem+json';

export interface FieldError {
  /** JSON Pointer to the field, e.g. `/impu` or `/anonymous/tokenTtl` */
  readonly pointer: string;
  readonly detail: string;
}

export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error that is answered as a problem document; `headers` go with it (e.g. WWW-Authenticate). */
export class ProblemError extends Error {
  readonly status: number;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    detail: string,
    options: { errors?: readonly FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  document(): ProblemDocument {
    return {
      type: 'about:blank',
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

/** The Response for a problem. */
export function problemResponse(problem: ProblemError): Response {
  return new Response(JSON.stringify(problem.document()), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_TYPE, 'cache-control': 'no-store', ...problem.headers },
  });
}

/** A JSON Pointer (RFC 6901) from a path of keys. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
