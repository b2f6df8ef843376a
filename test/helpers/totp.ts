import { TOTP, URI } from 'otpauth';
import { expect } from 'vitest';
import type { Caller } from './api.js';
import { manualClock, type ManualClock } from './clock.js';

export const TOTP_STEP_MS = 30_000;

/** A manual clock in the middle of a TOTP step, so "advance one step" never lands on a boundary. */
export function midStepClock(): ManualClock {
  return manualClock(Math.floor(Date.now() / TOTP_STEP_MS) * TOTP_STEP_MS + 5_000);
}

/** The user's authenticator app: built only from the URI the server returned. */
export function authenticator(otpauthUrl: string, clock: ManualClock): { code(offsetSteps?: number): string } {
  const totp = URI.parse(otpauthUrl) as TOTP;
  return { code: (offsetSteps = 0) => totp.generate({ timestamp: clock() + offsetSteps * TOTP_STEP_MS }) };
}

/** Turns 2FA on for the session's user (v1 surface); moves the clock one step so the next code is fresh. */
export async function enrolTwoFactor(client: Caller, token: string, clock: ManualClock) {
  const setup = await client.post('/api/v1/auth/2fa/setup', undefined, token);
  expect(setup.status).toBe(200);
  const app = authenticator(setup.body.data.otpauthUrl, clock);
  const confirm = await client.post('/api/v1/auth/2fa/verify-setup', { code: app.code() }, token);
  expect(confirm.status).toBe(200);
  clock.advance(TOTP_STEP_MS);
  return { app, recoveryCodes: confirm.body.data.recoveryCodes as string[] };
}
