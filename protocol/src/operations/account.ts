/** Operations of signing in and out, the caller's account, app passwords and devices; and the document itself. */
import { z } from 'zod';
import { operation } from '../operation.js';
import {
  AppPasswordCreated,
  AppPasswordList,
  AppPasswordRequest,
  DeviceList,
  LoginAnswer,
  LoginRequest,
  Me,
  PasswordChangeRequest,
  SignupRequest,
} from '../shapes/account.js';
import { IdParams } from '../shapes/files.js';
import { TwoFactorChallenge } from '../shapes/twofactor.js';

export const getOpenApi = operation({
  id: 'getOpenApi',
  method: 'GET',
  path: '/openapi.json',
  tag: 'meta',
  summary: 'This document (OpenAPI 3.1)',
  auth: 'public',
  static: true,
  answers: { 200: { description: 'The OpenAPI document', json: z.record(z.string(), z.unknown()) } },
});

export const login = operation({
  id: 'login',
  method: 'POST',
  path: '/auth/login',
  tag: 'auth',
  summary: 'Sign in with a username and password',
  description:
    'Answers a bearer token (shown once): bound to a new device when `device` is given (lasts until revoked), else a ' +
    '30-day session. With `cookie: true` it is also set as the HttpOnly `coffer_session` cookie. Wrong credentials: ' +
    '401 `invalid_credentials`; a disabled account: 403 `account_disabled`; a cross-site `Origin`: 403 `cross_origin`; ' +
    'repeated failures: 429 with `Retry-After`. An account with a second factor answers 202 with a ticket instead of a ' +
    'session: finish with POST /auth/2fa.',
  auth: 'public',
  body: { json: LoginRequest },
  answers: {
    200: {
      description: 'Signed in',
      json: LoginAnswer,
      headers: { 'Set-Cookie': { description: 'The session cookie, when `cookie: true`' } },
    },
    202: { description: 'The password was right; a second factor is needed (POST /auth/2fa)', json: TwoFactorChallenge },
  },
  errors: [401, 403, 429],
});

export const signup = operation({
  id: 'signup',
  method: 'POST',
  path: '/auth/signup',
  tag: 'auth',
  summary: 'Create an account and sign in (only when the server runs with COFFER_OPEN_SIGNUP=1)',
  description: '403 `signup_closed` unless sign-up is open (or `cross_origin`); 409 `username_taken`.',
  auth: 'public',
  body: { json: SignupRequest },
  answers: { 201: { description: 'Account created and signed in', json: LoginAnswer } },
  errors: [403, 409],
});

export const logout = operation({
  id: 'logout',
  method: 'POST',
  path: '/auth/logout',
  tag: 'auth',
  summary: 'Revoke the calling token (a device token: the device with it) and clear the cookie',
  description: 'Answers even while a password change is due. An unknown or expired token is still a success.',
  auth: 'user',
  answers: { 204: { description: 'Signed out' } },
});

export const getMe = operation({
  id: 'getMe',
  method: 'GET',
  path: '/me',
  tag: 'account',
  summary: 'The caller, with their quota and usage',
  description: 'Answers even while a password change is due.',
  auth: 'user',
  answers: { 200: { description: 'The signed-in user', json: Me } },
});

export const changePassword = operation({
  id: 'changePassword',
  method: 'POST',
  path: '/me/password',
  tag: 'account',
  summary: 'Change the password; every other token and device is signed out',
  description: '403 `wrong_password` when `current` is wrong (rate-limited like sign-in). Answers even while a password change is due.',
  auth: 'user',
  signInOnly: true,
  body: { json: PasswordChangeRequest },
  answers: { 204: { description: 'Changed' } },
  errors: [429],
});

export const listAppPasswords = operation({
  id: 'listAppPasswords',
  method: 'GET',
  path: '/app-passwords',
  tag: 'account',
  summary: 'The caller’s app passwords (WebDAV, CLI), without their secrets',
  auth: 'user',
  signInOnly: true,
  answers: { 200: { description: 'App passwords, oldest first', json: AppPasswordList } },
});

export const createAppPassword = operation({
  id: 'createAppPassword',
  method: 'POST',
  path: '/app-passwords',
  tag: 'account',
  summary: 'Create an app password; the secret is in this answer only',
  auth: 'user',
  signInOnly: true,
  body: { json: AppPasswordRequest },
  answers: { 201: { description: 'Created', json: AppPasswordCreated } },
});

export const deleteAppPassword = operation({
  id: 'deleteAppPassword',
  method: 'DELETE',
  path: '/app-passwords/{id}',
  tag: 'account',
  summary: 'Revoke an app password',
  auth: 'user',
  signInOnly: true,
  params: IdParams,
  badParams: { status: 404, code: 'not_found', message: 'no such app password' },
  answers: { 204: { description: 'Revoked' } },
});

export const listDevices = operation({
  id: 'listDevices',
  method: 'GET',
  path: '/devices',
  tag: 'account',
  summary: 'The caller’s devices',
  auth: 'user',
  answers: { 200: { description: 'Devices, oldest first', json: DeviceList } },
});

export const deleteDevice = operation({
  id: 'deleteDevice',
  method: 'DELETE',
  path: '/devices/{id}',
  tag: 'account',
  summary: 'Forget a device; its tokens stop working',
  auth: 'user',
  signInOnly: true,
  params: IdParams,
  badParams: { status: 404, code: 'not_found', message: 'no such device' },
  answers: { 204: { description: 'Removed' } },
});
