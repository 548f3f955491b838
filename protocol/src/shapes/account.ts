/** Accounts on the wire: signing in, the caller (`/me`), app passwords and devices. */
import { z } from 'zod';
import { count, id, text } from '../fields.js';
import { timestamp } from './common.js';

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const DEVICE_KINDS = ['browser', 'desktop', 'cli', 'mobile', 'webdav'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
export const TOKEN_KINDS = ['session', 'device', 'app_password'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit: safe in paths, URLs,
 *  WebDAV Basic auth and shell commands without quoting. */
export const Username = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a username is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** At least 8 characters (NIST SP 800-63B); at most 1024 so hashing stays cheap to ask for. */
export const Password = text(1024).min(8, 'a password has at least 8 characters').register(z.globalRegistry, { format: 'password' });

export const DeviceRegistration = z
  .object({ name: text(100).trim().min(1), kind: z.enum(DEVICE_KINDS) })
  .register(z.globalRegistry, { id: 'DeviceRegistration', description: 'Register a device: the token is bound to it and lasts until revoked (else a 30-day session)' });

/** The optional part of a sign-in (or sign-up): register a device, ask for the cookie. */
export const SessionOptions = z.object({
  device: DeviceRegistration.optional(),
  cookie: z.boolean().optional().register(z.globalRegistry, { description: 'Also set the `coffer_session` cookie (browsers)' }),
});
export type SessionOptions = z.infer<typeof SessionOptions>;

/** Sign-in accepts any existing name (names made before a rule change still sign in). */
export const LoginRequest = SessionOptions.extend({
  username: text(256, 1),
  password: text(1024, 1).register(z.globalRegistry, { format: 'password' }),
}).register(z.globalRegistry, { id: 'LoginRequest' });

export const SignupRequest = SessionOptions.extend({ username: Username, password: Password }).register(z.globalRegistry, { id: 'SignupRequest' });

export const SessionUser = z
  .object({
    id: id(),
    username: z.string(),
    role: z.enum(ROLES),
    namespaceId: id().register(z.globalRegistry, { description: 'The user’s home namespace' }),
    mustChangePassword: z.boolean().register(z.globalRegistry, { description: 'Apps should ask for a new password (only it, GET /me and signing out work until then)' }),
  })
  .register(z.globalRegistry, { id: 'SessionUser', description: 'What a client learns about itself at sign-in.' });
export type SessionUser = z.infer<typeof SessionUser>;

export const LoginAnswer = z
  .object({ token: z.string().register(z.globalRegistry, { description: 'Bearer token, shown once' }), user: SessionUser })
  .register(z.globalRegistry, { id: 'LoginAnswer' });
export type LoginAnswer = z.infer<typeof LoginAnswer>;

/** Who is calling, as the presented token identifies them (the server's request context has this shape). */
export const Caller = z.object({
  id: id(),
  username: z.string(),
  role: z.enum(ROLES),
  namespaceId: id().register(z.globalRegistry, { description: 'The user’s home namespace (their own files)' }),
  deviceId: id().optional().register(z.globalRegistry, { description: 'When the token belongs to a device' }),
  tokenKind: z.enum(TOKEN_KINDS),
  mustChangePassword: z.boolean().register(z.globalRegistry, { description: 'Set for the first admin and admin-made accounts: apps should ask for a new password' }),
});
export type Caller = z.infer<typeof Caller>;

export const Me = Caller.extend({
  quotaBytes: count().register(z.globalRegistry, { description: 'The account’s quota' }),
  usedBytes: count().register(z.globalRegistry, { description: 'Bytes of the account’s files (head revisions, trash included)' }),
  reservedBytes: count().register(z.globalRegistry, { description: 'Bytes stored for uploads not committed yet: they count against the quota too' }),
  twoFactorEnrolmentRequired: z
    .boolean()
    .optional()
    .register(z.globalRegistry, { description: 'An administrator requires two-factor sign-in and this account has no second factor: apps should lead to enrolment (only it, GET /me, the password change and signing out work until then)' }),
}).register(z.globalRegistry, { id: 'Me', description: 'The caller, with their quota; the room left is quotaBytes − usedBytes − reservedBytes.' });
export type Me = z.infer<typeof Me>;

export const PasswordChangeRequest = z.object({ current: text(1024, 1).register(z.globalRegistry, { format: 'password' }), new: Password });

export const Device = z
  .object({
    id: id(),
    name: z.string(),
    kind: z.enum(DEVICE_KINDS),
    lastSeenAt: timestamp(),
    createdAt: timestamp(),
    current: z.boolean().register(z.globalRegistry, { description: 'The device of the calling token' }),
  })
  .register(z.globalRegistry, { id: 'Device' });
export type Device = z.infer<typeof Device>;

export const DeviceList = z.object({ devices: z.array(Device) });

export const AppPassword = z
  .object({ id: id(), label: z.string(), createdAt: timestamp(), lastUsedAt: timestamp().nullable() })
  .register(z.globalRegistry, { id: 'AppPassword', description: 'An app password without its secret.' });
export type AppPassword = z.infer<typeof AppPassword>;

export const AppPasswordList = z.object({ appPasswords: z.array(AppPassword) });

export const AppPasswordRequest = z.object({ label: text(100).trim().min(1) });

export const AppPasswordCreated = z
  .object({
    id: id(),
    label: z.string(),
    password: z.string().register(z.globalRegistry, { description: 'The secret, shown this once only: a bearer token, and the Basic-auth password for WebDAV' }),
    createdAt: timestamp(),
  })
  .register(z.globalRegistry, { id: 'AppPasswordCreated' });
export type AppPasswordCreated = z.infer<typeof AppPasswordCreated>;
