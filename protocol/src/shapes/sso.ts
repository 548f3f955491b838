/** Single sign-on (OpenID Connect): what the sign-in page learns about the ways to sign in. */
import { z } from 'zod';
import { text } from '../fields.js';

export const AuthMethods = z
  .object({
    password: z.boolean().register(z.globalRegistry, { description: 'Username and password sign-in (POST /auth/login) is allowed' }),
    sso: z
      .object({
        label: z.string().register(z.globalRegistry, { description: 'The button’s label, e.g. "Authentik" (shown as "Sign in with Authentik")' }),
        startPath: z.string().register(z.globalRegistry, { description: 'Where the browser goes to begin: GET /api/v1/auth/oidc/start' }),
      })
      .nullable()
      .register(z.globalRegistry, { description: 'Single sign-on with an OpenID Connect provider, when the server is configured for it' }),
  })
  .register(z.globalRegistry, { id: 'AuthMethods', description: 'The ways this server lets people sign in.' });
export type AuthMethods = z.infer<typeof AuthMethods>;

/** What a provider appends to the redirect URI (RFC 6749 §4.1.2, RFC 9207); others are ignored. */
export const SsoCallbackQuery = z.object({
  code: text(4096).optional(),
  state: text(512).optional(),
  iss: text(2048).optional(),
  error: text(256).optional(),
  error_description: text(2048).optional(),
});

