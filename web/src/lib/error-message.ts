import { LatchkeyError } from '@latchkey/client';
import { formatDuration } from './format.js';

function waitFor(error: LatchkeyError, fallbackSeconds: number): string {
  return formatDuration(error.retryAfterSeconds ?? fallbackSeconds);
}

/** A 423 that no wait ends: only an operator's unlock does. */
function isBlocked(error: LatchkeyError): boolean {
  return error.details.reason === 'blocked';
}

/** What to tell a person about a failed call, in their terms rather than the API's. */
export function describeError(error: unknown): string {
  if (!(error instanceof LatchkeyError)) {
    return error instanceof TypeError
      ? 'Cannot reach the server. Check your connection and try again.'
      : 'Something went wrong. Please try again.';
  }
  switch (error.code) {
    case 'INVALID_CREDENTIALS':
      return 'The e-mail address or password is not correct.';
    case 'ACCOUNT_LOCKED':
      if (isBlocked(error))
        return 'This account is locked after too many failed sign-in attempts. Ask your administrator to unlock it.';
      return `This account is locked after too many failed sign-in attempts. Try again in ${waitFor(error, 1800)}.`;
    case 'MFA_LOCKED':
      if (isBlocked(error))
        return 'Two-factor sign-in is locked after too many wrong codes. Ask your administrator to unlock it.';
      return `Two-factor sign-in is locked after too many wrong codes. Try again in ${waitFor(error, 1800)}.`;
    case 'TOO_MANY_LOGIN_ATTEMPTS':
      return `Too many attempts from your network. Wait ${waitFor(error, 60)} before trying again.`;
    case 'INVALID_2FA_CODE':
      return 'That code is not correct. Enter the current code from your authenticator app, or an unused recovery code.';
    case 'INVALID_PENDING_TOKEN':
      return 'Your sign-in took too long or was already completed. Enter your password again.';
    case 'RECENT_LOGIN_REQUIRED':
      return 'For your security, this needs your password again. Try once more and confirm it.';
    case 'ACCOUNT_DISABLED':
      return 'This account is disabled. Contact your administrator.';
    case 'EMAIL_TAKEN':
      return 'An account with this e-mail address already exists. Sign in instead.';
    case 'REGISTRATION_DISABLED':
      return 'Sign-up is turned off on this server. Ask an administrator for an account.';
    case 'KV_UNAVAILABLE':
    case 'SERVICE_UNAVAILABLE':
    case 'INTERNAL_ERROR':
      return 'The server is having trouble right now. Try again in a moment.';
    default:
      return error.status >= 500 ? 'The server is having trouble right now. Try again in a moment.' : error.message;
  }
}
