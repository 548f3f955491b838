/** Two-factor sign-in on the wire: the second step of a sign-in, TOTP, passkeys (WebAuthn),
 *  recovery codes, and the server-wide setting that requires it. */
import { z } from 'zod';
import { count, id, text } from '../fields.js';
import { timestamp } from './common.js';
import { SessionOptions } from './account.js';

export const TWO_FACTOR_METHODS = ['totp', 'recovery', 'passkey'] as const;
export type TwoFactorMethod = (typeof TWO_FACTOR_METHODS)[number];

/** Six digits from an authenticator app (RFC 6238, 30-second steps, SHA-1). */
export const TotpCode = z.string().regex(/^\d{6}$/, 'a code is 6 digits');

/** As shown at enrolment (`xxxxx-xxxxx`); case, spaces and dashes do not matter. */
export const RecoveryCode = text(64, 1);

/** A short-lived ticket naming a step in flight (a sign-in between password and second factor,
 *  a passkey ceremony). */
export const Ticket = text(200, 1).register(z.globalRegistry, { description: 'The step’s ticket, as answered when it began' });

/** WebAuthn options as `@simplewebauthn/browser` takes them (PublicKeyCredentialRequestOptionsJSON
 *  or PublicKeyCredentialCreationOptionsJSON). */
export const WebAuthnOptions = z
  .record(z.string(), z.unknown())
  .register(z.globalRegistry, { id: 'WebAuthnOptions', description: 'Options for navigator.credentials.get/create, in their JSON form (WebAuthn Level 3)' });

/** What an authenticator answered, in its JSON form (`@simplewebauthn/browser`'s startRegistration /
 *  startAuthentication give it). The server verifies it whole. */
export const WebAuthnCredential = z
  .looseObject({
    id: text(1366, 1),
    rawId: text(1366, 1),
    type: z.literal('public-key'),
    response: z.record(z.string(), z.unknown()),
    clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
    authenticatorAttachment: z.string().max(32).optional(),
  })
  .register(z.globalRegistry, { id: 'WebAuthnCredential', description: 'RegistrationResponseJSON or AuthenticationResponseJSON' });
export type WebAuthnCredential = z.infer<typeof WebAuthnCredential>;

export const TwoFactorChallenge = z
  .object({
    twoFactor: z.object({
      ticket: z.string().register(z.globalRegistry, { description: 'Send it with the second factor to POST /auth/2fa' }),
      methods: z.array(z.enum(TWO_FACTOR_METHODS)).register(z.globalRegistry, { description: 'What this account can answer with' }),
      expiresAt: timestamp(),
      passkeyOptions: WebAuthnOptions.optional().register(z.globalRegistry, { description: 'When the account has passkeys: the assertion to ask for' }),
    }),
  })
  .register(z.globalRegistry, { id: 'TwoFactorChallenge', description: 'The password was right; a second factor is needed before a session is issued.' });
export type TwoFactorChallenge = z.infer<typeof TwoFactorChallenge>;

export const TwoFactorLoginRequest = z
  .object({
    ticket: Ticket,
    totp: TotpCode.optional(),
    recoveryCode: RecoveryCode.optional(),
    passkey: WebAuthnCredential.optional(),
  })
  .refine((b) => [b.totp, b.recoveryCode, b.passkey].filter((x) => x !== undefined).length === 1, 'give exactly one of totp, recoveryCode, passkey')
  .register(z.globalRegistry, { id: 'TwoFactorLoginRequest' });

export const PasskeyLoginStart = SessionOptions.meta({ id: 'PasskeyLoginStart', description: 'The session to issue once the passkey answers' });

export const PasskeyCeremony = z
  .object({ ticket: z.string(), expiresAt: timestamp(), options: WebAuthnOptions })
  .register(z.globalRegistry, { id: 'PasskeyCeremony', description: 'A WebAuthn ceremony begun: answer the options, then send the result with the ticket' });
export type PasskeyCeremony = z.infer<typeof PasskeyCeremony>;

export const Passkey = z
  .object({
    id: id(),
    name: z.string(),
    backedUp: z.boolean().register(z.globalRegistry, { description: 'Synced by its provider (a multi-device passkey)' }),
    createdAt: timestamp(),
    lastUsedAt: timestamp().nullable(),
  })
  .register(z.globalRegistry, { id: 'Passkey' });
export type Passkey = z.infer<typeof Passkey>;

export const TwoFactorStatus = z
  .object({
    enabled: z.boolean().register(z.globalRegistry, { description: 'Sign-in asks for a second factor (an authenticator app or a passkey is enrolled)' }),
    totp: z.boolean().register(z.globalRegistry, { description: 'An authenticator app is enrolled (confirmed)' }),
    passkeys: z.array(Passkey),
    recoveryCodesLeft: count(),
    required: z.boolean().register(z.globalRegistry, { description: 'An administrator requires two-factor sign-in for everyone' }),
  })
  .register(z.globalRegistry, { id: 'TwoFactorStatus' });
export type TwoFactorStatus = z.infer<typeof TwoFactorStatus>;

export const TotpEnrolment = z
  .object({
    secret: z.string().register(z.globalRegistry, { description: 'Base32, for typing into an app' }),
    uri: z.string().register(z.globalRegistry, { description: 'otpauth://totp/… for a QR code' }),
  })
  .register(z.globalRegistry, { id: 'TotpEnrolment', description: 'A new secret, pending until POST /me/2fa/totp/confirm proves the app has it' });
export type TotpEnrolment = z.infer<typeof TotpEnrolment>;

export const TotpConfirmRequest = z.object({ code: TotpCode });

export const RecoveryCodes = z
  .object({ recoveryCodes: z.array(z.string()).register(z.globalRegistry, { description: 'Shown this once: each works one time in place of a code' }) })
  .register(z.globalRegistry, { id: 'RecoveryCodes' });
export type RecoveryCodes = z.infer<typeof RecoveryCodes>;

export const TwoFactorEnabled = z
  .object({ recoveryCodes: z.array(z.string()).optional().register(z.globalRegistry, { description: 'New recovery codes, shown this once, when this was the first factor enrolled' }) })
  .register(z.globalRegistry, { id: 'TwoFactorEnabled' });

/** Proof that the person at the keyboard is the account's owner before a factor goes. */
export const Reauthentication = z
  .object({
    password: text(1024, 1).optional().register(z.globalRegistry, { format: 'password' }),
    code: RecoveryCode.optional().register(z.globalRegistry, { description: 'A current authenticator code or an unused recovery code' }),
  })
  .refine((b) => b.password !== undefined || b.code !== undefined, 'give the password or a current code')
  .register(z.globalRegistry, { id: 'Reauthentication' });

export const PasskeyRegistrationRequest = z.object({
  ticket: Ticket,
  name: text(100).trim().min(1),
  credential: WebAuthnCredential,
});

export const PasskeyCreated = z
  .object({ passkey: Passkey, recoveryCodes: z.array(z.string()).optional().register(z.globalRegistry, { description: 'As TwoFactorEnabled' }) })
  .register(z.globalRegistry, { id: 'PasskeyCreated' });

export const ServerSettings = z
  .object({ requireTwoFactor: z.boolean().register(z.globalRegistry, { description: 'Every account must enrol a second factor; until then it reaches only enrolment' }) })
  .register(z.globalRegistry, { id: 'ServerSettings' });
export type ServerSettings = z.infer<typeof ServerSettings>;

export const ServerSettingsPatch = z
  .object({ requireTwoFactor: z.boolean() })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one setting to change');
