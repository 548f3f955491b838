/**
 * Operations of two-factor sign-in: completing a sign-in with a second factor (or a passkey
 * alone), enrolling and removing factors, recovery codes, and the administrator's requirement.
 * App passwords stay single-factor by design: they exist for programs that cannot answer a
 * second step (WebDAV mounts, scripts), and they can do nothing with credentials (`signInOnly`).
 */
import { operation } from '../operation.js';
import { LoginAnswer } from '../shapes/account.js';
import { IdParams } from '../shapes/files.js';
import {
  PasskeyCeremony,
  PasskeyCreated,
  PasskeyLoginStart,
  PasskeyRegistrationRequest,
  Reauthentication,
  RecoveryCodes,
  ServerSettings,
  ServerSettingsPatch,
  TotpConfirmRequest,
  TotpEnrolment,
  TwoFactorEnabled,
  TwoFactorLoginRequest,
  TwoFactorStatus,
} from '../shapes/twofactor.js';

const SMALL_JSON = 64 * 1024;

export const completeTwoFactorLogin = operation({
  id: 'completeTwoFactorLogin',
  method: 'POST',
  path: '/auth/2fa',
  tag: 'auth',
  summary: 'Finish a sign-in with the second factor: an authenticator code, a recovery code or a passkey',
  description:
    'The ticket comes from POST /auth/login (202) or POST /auth/passkey (a passkey alone). Answers what the sign-in ' +
    'asked for (token, cookie). A wrong code: 401 `invalid_code` (a code is good once; a few wrong answers end the ' +
    'ticket); an unknown, used or expired ticket: 401 `two_factor_ticket_invalid`; repeated failures: 429 like passwords.',
  auth: 'public',
  body: { json: TwoFactorLoginRequest, maxBytes: SMALL_JSON },
  answers: {
    200: { description: 'Signed in', json: LoginAnswer, headers: { 'Set-Cookie': { description: 'The session cookie, when the sign-in asked for it' } } },
  },
  errors: [401, 403, 429],
});

export const startPasskeyLogin = operation({
  id: 'startPasskeyLogin',
  method: 'POST',
  path: '/auth/passkey',
  tag: 'auth',
  summary: 'Begin a sign-in with a passkey alone (no username or password)',
  description: 'Answers WebAuthn options for a discoverable credential with user verification; send the assertion to POST /auth/2fa.',
  auth: 'public',
  body: { json: PasskeyLoginStart, maxBytes: SMALL_JSON },
  answers: { 200: { description: 'The ceremony', json: PasskeyCeremony } },
  errors: [403],
});

export const getTwoFactor = operation({
  id: 'getTwoFactor',
  method: 'GET',
  path: '/me/2fa',
  tag: 'twofactor',
  summary: 'The caller’s second factors and recovery codes left',
  description: 'Answers while an administrator’s requirement to enrol is due.',
  auth: 'user',
  signInOnly: true,
  answers: { 200: { description: 'Two-factor status', json: TwoFactorStatus } },
});

export const startTotpEnrolment = operation({
  id: 'startTotpEnrolment',
  method: 'POST',
  path: '/me/2fa/totp',
  tag: 'twofactor',
  summary: 'Begin enrolling an authenticator app: a new secret, pending until confirmed',
  description: '409 `totp_enabled` when one is enrolled already (remove it first). A pending secret is replaced.',
  auth: 'user',
  signInOnly: true,
  answers: { 201: { description: 'The secret, shown this once', json: TotpEnrolment } },
  errors: [409],
});

export const confirmTotpEnrolment = operation({
  id: 'confirmTotpEnrolment',
  method: 'POST',
  path: '/me/2fa/totp/confirm',
  tag: 'twofactor',
  summary: 'Confirm the authenticator app with its current code; from now on sign-in asks for a code',
  description: '403 `invalid_code` for a wrong code (rate-limited like sign-in); 404 `not_found` with no pending secret.',
  auth: 'user',
  signInOnly: true,
  body: { json: TotpConfirmRequest, maxBytes: SMALL_JSON },
  answers: { 200: { description: 'Enrolled', json: TwoFactorEnabled } },
  errors: [404, 409, 429],
});

export const removeTotp = operation({
  id: 'removeTotp',
  method: 'POST',
  path: '/me/2fa/totp/remove',
  tag: 'twofactor',
  summary: 'Remove the authenticator app (needs the password or a current code)',
  description: '403 `wrong_password` or `invalid_code`; 404 when none is enrolled.',
  auth: 'user',
  signInOnly: true,
  body: { json: Reauthentication, maxBytes: SMALL_JSON },
  answers: { 204: { description: 'Removed' } },
  errors: [404, 429],
});

export const regenerateRecoveryCodes = operation({
  id: 'regenerateRecoveryCodes',
  method: 'POST',
  path: '/me/2fa/recovery-codes',
  tag: 'twofactor',
  summary: 'Replace the recovery codes with 10 new ones (needs the password or a current code)',
  description: 'The old codes stop working. 409 `two_factor_not_enabled` without a second factor.',
  auth: 'user',
  signInOnly: true,
  body: { json: Reauthentication, maxBytes: SMALL_JSON },
  answers: { 200: { description: 'The new codes, shown this once', json: RecoveryCodes } },
  errors: [409, 429],
});

export const startPasskeyRegistration = operation({
  id: 'startPasskeyRegistration',
  method: 'POST',
  path: '/me/passkeys/options',
  tag: 'twofactor',
  summary: 'Begin adding a passkey: WebAuthn creation options',
  auth: 'user',
  signInOnly: true,
  answers: { 200: { description: 'The ceremony', json: PasskeyCeremony } },
});

export const addPasskey = operation({
  id: 'addPasskey',
  method: 'POST',
  path: '/me/passkeys',
  tag: 'twofactor',
  summary: 'Finish adding a passkey with the authenticator’s answer',
  description: '400 `passkey_invalid` when the answer does not verify; 401 `two_factor_ticket_invalid` for a stale ticket.',
  auth: 'user',
  signInOnly: true,
  body: { json: PasskeyRegistrationRequest, maxBytes: SMALL_JSON },
  answers: { 201: { description: 'Added', json: PasskeyCreated } },
  errors: [409],
});

export const removePasskey = operation({
  id: 'removePasskey',
  method: 'POST',
  path: '/me/passkeys/{id}/remove',
  tag: 'twofactor',
  summary: 'Remove a passkey (needs the password or a current code)',
  auth: 'user',
  signInOnly: true,
  params: IdParams,
  badParams: { status: 404, code: 'not_found', message: 'no such passkey' },
  body: { json: Reauthentication, maxBytes: SMALL_JSON },
  answers: { 204: { description: 'Removed' } },
  errors: [429],
});

export const getServerSettings = operation({
  id: 'getServerSettings',
  method: 'GET',
  path: '/admin/settings',
  tag: 'admin',
  summary: 'Server-wide settings',
  auth: 'admin',
  answers: { 200: { description: 'The settings', json: ServerSettings } },
});

export const updateServerSettings = operation({
  id: 'updateServerSettings',
  method: 'PATCH',
  path: '/admin/settings',
  tag: 'admin',
  summary: 'Change server-wide settings (require two-factor sign-in for everyone)',
  description: '409 `two_factor_not_enabled` when the administrator asking to require two-factor sign-in has no second factor.',
  auth: 'admin',
  body: { json: ServerSettingsPatch, maxBytes: SMALL_JSON },
  answers: { 200: { description: 'The settings now', json: ServerSettings } },
  errors: [409],
});

export const resetUserTwoFactor = operation({
  id: 'resetUserTwoFactor',
  method: 'DELETE',
  path: '/admin/users/{id}/2fa',
  tag: 'admin',
  summary: 'Remove every second factor of an account (its owner lost them); its sessions end',
  auth: 'admin',
  params: IdParams,
  badParams: { status: 404, code: 'not_found', message: 'no such user' },
  answers: { 204: { description: 'Removed' } },
});

