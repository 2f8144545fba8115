/**
 * Every failure a user of the web phone can meet, as a typed value, and the one table that
 * turns it into a message a person understands (title, what to do) — never a bare SIP code or
 * library cause. The SIP status codes and the JsSIP causes they come from are named at each rule.
 */
import { cameraMessage, microphoneMessage } from './device-failures.ts';
import { msg, type UserMessage, withReason } from './user-message.ts';

/**
 * How the user signed in: IMS credentials (SIP digest with their own password), a web account
 * at the WAF (bearer token, RFC 8898), or guest access (bearer token, pool identity).
 */
export type Account = 'ims' | 'web' | 'guest';

export type Failure =
  /** getUserMedia refused (DOMException name: NotAllowedError, NotFoundError, NotReadableError…) */
  | { readonly kind: 'microphone'; readonly name: string }
  /** the camera could not be had: the call goes on (or starts) with audio only */
  | { readonly kind: 'camera'; readonly name: string }
  /** the REGISTER got a final error (RFC 3261 §10.3), or never an answer */
  | {
      readonly kind: 'registration';
      /** absent: IMS credentials */
      readonly account?: Account;
      readonly status: number | undefined;
      readonly reason: string | undefined;
      /** RFC 6750 §3.1 error of a `WWW-Authenticate: Bearer` challenge, when there is one */
      readonly bearerError: string | undefined;
    }
  /** a call we placed or got failed before or after answer (JsSIP `failed`/`ended` cause) */
  | {
      readonly kind: 'call';
      readonly cause: string;
      readonly status: number | undefined;
      readonly reason: string | undefined;
    }
  /** the SIP WebSocket is down; JsSIP is reconnecting */
  | { readonly kind: 'network'; readonly attempts: number }
  /** the access token expired or was revoked and could not be refreshed */
  | { readonly kind: 'token-expired'; readonly detail: string }
  /** the WAF refused a sign-in or guest request (RFC 6749 §4.1.2.1, §5.2) */
  | { readonly kind: 'sign-in'; readonly error: string; readonly description: string | undefined }
  /** the discovery document could not be had */
  | { readonly kind: 'discovery'; readonly detail: string }
  /** a MESSAGE was not delivered (RFC 3428) */
  | { readonly kind: 'message'; readonly status: number | undefined; readonly reason: string | undefined };

export type { Remedy, Severity, UserMessage } from './user-message.ts';

/**
 * A REGISTER refused for a token sign-in (web account or guest): the WAF accepted the user, so
 * the password is not the cause — the network refused the account or the token's identity.
 */
function tokenRegistration(account: 'web' | 'guest', status: number, reason: string | undefined) {
  const who = account === 'guest' ? 'guest access' : 'this account’s registration';
  const hint =
    account === 'guest'
      ? 'Try again later; if it keeps happening, contact the site’s operator.'
      : 'Sign in again; if it keeps happening, contact your operator.';
  return msg(
    'Registration refused',
    `${withReason(`The network refused ${who}.`, reason, status)} ${hint}`,
    'error',
    'sign-in',
  );
}

function registration(
  account: Account,
  status: number | undefined,
  reason: string | undefined,
  bearer: string | undefined,
) {
  // RFC 6750 §3.1: invalid_token = expired, revoked or malformed; the cure is a new sign-in.
  if (bearer === 'invalid_token')
    return msg(
      'Session expired',
      'Your sign-in is no longer valid. Please sign in again.',
      'error',
      'sign-in',
    );
  if (bearer === 'insufficient_scope')
    return msg('Not allowed', 'Your account may not use the phone service.', 'error', 'sign-in');
  if (account !== 'ims' && (status === 401 || status === 407 || status === 403))
    return tokenRegistration(account, status, reason);
  switch (status) {
    case 401:
    case 407:
      return msg(
        'Sign-in refused',
        withReason('The user name or password is wrong.', reason, status),
        'error',
        'sign-in',
      );
    case 403:
      return msg(
        'Registration refused',
        withReason('The network refused this identity or its password.', reason, status),
        'error',
        'sign-in',
      );
    case 404:
      return msg(
        'Unknown identity',
        withReason('The network does not know this identity.', reason, status),
        'error',
        'sign-in',
      );
    case 423:
    case 503:
    case 500:
    case 504:
    case 408:
    case undefined:
      return msg(
        'Service unavailable',
        withReason('The phone service cannot register you right now. It will try again.', reason, status),
        'warning',
        'retry',
      );
    default:
      return msg(
        'Registration failed',
        withReason('The phone service refused the registration.', reason, status),
        'error',
        'retry',
      );
  }
}

/** JsSIP causes (JsSIP.C.causes) and the SIP codes behind them (RFC 3261 §21). */
function call(cause: string, status: number | undefined, reason: string | undefined): UserMessage {
  switch (cause) {
    case 'Busy': // 486, 600
      return msg('Busy', withReason('The person you called is busy.', reason, status), 'warning');
    case 'Rejected': // 403, 603
      return msg('Call declined', withReason('The call was declined.', reason, status), 'warning');
    case 'Not Found': // 404, 604
      return msg(
        'Not found',
        withReason('That number or address does not exist.', reason, status),
        'warning',
      );
    case 'Unavailable': // 480, 410, 408, 430
      return msg(
        'Unavailable',
        withReason('The person you called is not reachable now.', reason, status),
        'warning',
      );
    case 'Address Incomplete': // 484
      return msg('Incomplete number', 'The number is incomplete. Check it and call again.', 'warning');
    case 'Incompatible SDP': // 488, 606
    case 'Bad Media Description':
    case 'Missing SDP':
      return msg(
        'Call not possible',
        withReason('The other side cannot handle this call’s media.', reason, status),
      );
    case 'No Answer':
      return msg('No answer', 'Nobody answered.', 'info');
    case 'Canceled':
      return msg('Call cancelled', 'The call was cancelled before it was answered.', 'info');
    case 'Expires':
      return msg('No answer', 'The call was not answered in time.', 'info');
    case 'User Denied Media Access':
      return microphoneMessage('NotAllowedError');
    case 'Authentication Error': // 401, 407 to the INVITE
      return msg('Not allowed', 'The network refused this call for your identity.', 'error', 'sign-in');
    case 'Connection Error':
    case 'Request Timeout':
      return msg(
        'Connection lost',
        'The call ended because the connection to the service was lost.',
        'error',
        'retry',
      );
    case 'RTP Timeout':
      return msg('Connection lost', 'No audio arrived any more; the call was ended.', 'error', 'retry');
    case 'WebRTC Error':
    case 'Internal Error':
      return msg('Call failed', 'Your browser could not set up the call audio.', 'error', 'retry');
    case 'Redirected':
      return msg(
        'Call redirected',
        'The call was redirected; this phone does not follow redirections.',
        'warning',
      );
    default:
      return msg(
        'Call failed',
        withReason('The call could not be completed.', reason, status),
        'error',
        'retry',
      );
  }
}

function signIn(error: string, description: string | undefined): UserMessage {
  const said = description === undefined ? '' : ` (${description})`;
  switch (error) {
    case 'access_denied':
      return msg('Sign-in cancelled', 'You cancelled the sign-in.', 'info', 'sign-in');
    case 'invalid_grant':
      return msg('Sign-in refused', `The sign-in was not accepted${said}.`, 'error', 'sign-in');
    case 'network':
      return msg(
        'No connection',
        'The sign-in service could not be reached. Check your connection.',
        'error',
        'retry',
      );
    case 'state_mismatch':
      return msg(
        'Sign-in interrupted',
        'This sign-in did not start on this page. Please sign in again.',
        'error',
        'sign-in',
      );
    default:
      return msg('Sign-in failed', `The sign-in service answered ${error}${said}.`, 'error', 'sign-in');
  }
}

function message(status: number | undefined, reason: string | undefined): UserMessage {
  if (status === 404 || status === 604)
    return msg(
      'Message not delivered',
      withReason('That address does not exist.', reason, status),
      'warning',
    );
  if (status === 480 || status === 408)
    return msg(
      'Message not delivered',
      withReason('The person is not reachable now.', reason, status),
      'warning',
    );
  return msg(
    'Message not delivered',
    withReason('The message could not be delivered.', reason, status),
    'error',
    'retry',
  );
}

export function describeFailure(f: Failure): UserMessage {
  switch (f.kind) {
    case 'microphone':
      return microphoneMessage(f.name);
    case 'camera':
      return cameraMessage(f.name);
    case 'registration':
      return registration(f.account ?? 'ims', f.status, f.reason, f.bearerError);
    case 'call':
      return call(f.cause, f.status, f.reason);
    case 'network':
      return msg(
        'Connection lost',
        f.attempts > 1
          ? `Reconnecting to the phone service (attempt ${f.attempts})…`
          : 'Reconnecting to the phone service…',
        'warning',
      );
    case 'token-expired':
      return msg('Session expired', 'Your sign-in has expired. Please sign in again.', 'error', 'sign-in');
    case 'sign-in':
      return signIn(f.error, f.description);
    case 'discovery':
      return msg(
        'Service unavailable',
        `The phone service configuration could not be loaded: ${f.detail}.`,
        'error',
        'retry',
      );
    case 'message':
      return message(f.status, f.reason);
  }
}

/** The `error` parameter of a `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3), if any. */
export function bearerError(challenge: string | undefined): string | undefined {
  if (challenge === undefined || !/^\s*Bearer\b/i.test(challenge)) return undefined;
  return /\berror="([^"]*)"/i.exec(challenge)?.[1];
}
