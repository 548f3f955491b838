/** Paths of signing in, the caller's account (password, app passwords, devices) and administration. */
import { body, errors, json, op, param, schema, type Json } from './helpers.js';

const noContent = (description = 'Done (no body)'): Json => ({ description });
const list = (key: string, item: string): Json => ({
  type: 'object',
  required: [key],
  properties: { [key]: { type: 'array', items: schema(item) } },
});

const AdminUserCreate: Json = {
  type: 'object',
  required: ['username', 'password'],
  properties: {
    username: { type: 'string' },
    password: { type: 'string', format: 'password' },
    role: { type: 'string', enum: ['user', 'admin'] },
    quotaBytes: { type: 'integer', minimum: 0 },
    email: { oneOf: [{ type: 'string', format: 'email' }, { type: 'null' }] },
    mustChangePassword: { type: 'boolean', default: true, description: 'The admin knows the password they typed, so by default the user must replace it' },
  },
};
const AdminUserPatch: Json = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: {
    role: { type: 'string', enum: ['user', 'admin'] },
    quotaBytes: { type: 'integer', minimum: 0 },
    disabled: { type: 'boolean', description: 'Disabling signs the user out everywhere' },
    password: { type: 'string', format: 'password', description: 'A new password (signs the user out everywhere; they must change it unless `mustChangePassword: false`)' },
    email: { oneOf: [{ type: 'string', format: 'email' }, { type: 'null' }] },
    mustChangePassword: { type: 'boolean' },
  },
};

export const authPaths: Record<string, Json> = {
  '/openapi.json': {
    get: op({
      tag: 'meta',
      operationId: 'getOpenApi',
      summary: 'This document (OpenAPI 3.1)',
      public: true,
      responses: { '200': json({ type: 'object' }, 'The OpenAPI document') },
    }),
  },
  '/auth/login': {
    post: op({
      tag: 'auth',
      operationId: 'login',
      summary: 'Sign in with a username and password',
      description:
        'Answers a bearer token (shown once): bound to a new device when `device` is given (lasts until revoked), else a ' +
        '30-day session. With `cookie: true` it is also set as the HttpOnly `coffer_session` cookie. Wrong credentials: ' +
        '401 `invalid_credentials`; a disabled account: 403 `account_disabled`; a cross-site `Origin`: 403 `cross_origin`; ' +
        'repeated failures: 429 with `Retry-After`.',
      public: true,
      requestBody: body(schema('LoginRequest')),
      responses: {
        '200': {
          ...json(schema('LoginResponse'), 'Signed in'),
          headers: { 'Set-Cookie': { schema: { type: 'string' }, description: 'The session cookie, when `cookie: true`' } },
        },
        ...errors(400, 401, 403, 429),
      },
    }),
  },
  '/auth/logout': {
    post: op({
      tag: 'auth',
      operationId: 'logout',
      summary: 'Revoke the calling token (a device token: the device with it) and clear the cookie',
      unsafe: true,
      responses: { '204': noContent('Signed out') },
    }),
  },
  '/auth/signup': {
    post: op({
      tag: 'auth',
      operationId: 'signup',
      summary: 'Create an account and sign in (only when the server runs with COFFER_OPEN_SIGNUP=1)',
      description: '403 `signup_closed` unless sign-up is open; 409 `username_taken`.',
      public: true,
      requestBody: body(schema('SignupRequest')),
      responses: { '201': json(schema('LoginResponse'), 'Account created and signed in'), ...errors(400, 403, 409, 429) },
    }),
  },
  '/me': {
    get: op({ tag: 'account', operationId: 'getMe', summary: 'The caller', responses: { '200': json(schema('Me'), 'The signed-in user') } }),
  },
  '/me/password': {
    post: op({
      tag: 'account',
      operationId: 'changePassword',
      summary: 'Change the password; every other token and device is signed out',
      description: '403 `wrong_password` when `current` is wrong (rate-limited like sign-in); app passwords cannot do this.',
      unsafe: true,
      requestBody: body({
        type: 'object',
        required: ['current', 'new'],
        properties: { current: { type: 'string', format: 'password' }, new: { type: 'string', format: 'password' } },
      }),
      responses: { '204': noContent('Changed'), ...errors(400, 429) },
    }),
  },
  '/app-passwords': {
    get: op({
      tag: 'account',
      operationId: 'listAppPasswords',
      summary: 'The caller’s app passwords (WebDAV, CLI), without their secrets',
      responses: { '200': json(list('appPasswords', 'AppPassword'), 'App passwords'), ...errors(403) },
    }),
    post: op({
      tag: 'account',
      operationId: 'createAppPassword',
      summary: 'Create an app password; the secret is in this answer only',
      unsafe: true,
      requestBody: body({ type: 'object', required: ['label'], properties: { label: { type: 'string', minLength: 1, maxLength: 100 } } }),
      responses: { '201': json(schema('AppPasswordCreated'), 'Created'), ...errors(400) },
    }),
  },
  '/app-passwords/{id}': {
    delete: op({
      tag: 'account',
      operationId: 'deleteAppPassword',
      summary: 'Revoke an app password',
      unsafe: true,
      parameters: [param('IdPath')],
      responses: { '204': noContent('Revoked'), ...errors(404) },
    }),
  },
  '/devices': {
    get: op({
      tag: 'account',
      operationId: 'listDevices',
      summary: 'The caller’s devices',
      responses: { '200': json(list('devices', 'Device'), 'Devices, oldest first') },
    }),
  },
  '/devices/{id}': {
    delete: op({
      tag: 'account',
      operationId: 'deleteDevice',
      summary: 'Forget a device; its tokens stop working',
      unsafe: true,
      parameters: [param('IdPath')],
      responses: { '204': noContent('Removed'), ...errors(404) },
    }),
  },
  '/admin/users': {
    get: op({
      tag: 'admin',
      operationId: 'adminListUsers',
      summary: 'Every account, by username (admin only)',
      responses: { '200': json(list('users', 'AdminUser'), 'Accounts'), ...errors(403) },
    }),
    post: op({
      tag: 'admin',
      operationId: 'adminCreateUser',
      summary: 'Create an account (admin only)',
      description: '409 `username_taken`.',
      unsafe: true,
      requestBody: body(AdminUserCreate),
      responses: { '201': json(schema('AdminUser'), 'Created'), ...errors(400, 409) },
    }),
  },
  '/admin/users/{id}': {
    patch: op({
      tag: 'admin',
      operationId: 'adminUpdateUser',
      summary: 'Change an account’s role, quota, email or password, or disable it (admin only)',
      description: '409 `last_admin` when the change would leave no enabled administrator.',
      unsafe: true,
      parameters: [param('IdPath')],
      requestBody: body(AdminUserPatch),
      responses: { '200': json(schema('AdminUser'), 'Updated'), ...errors(400, 404, 409) },
    }),
    delete: op({
      tag: 'admin',
      operationId: 'adminDeleteUser',
      summary: 'Delete an account (admin only); its tokens and devices go with it',
      description: '409 `cannot_delete_self`.',
      unsafe: true,
      parameters: [param('IdPath')],
      responses: { '204': noContent('Deleted'), ...errors(404, 409) },
    }),
  },
};
