/** Single sign-on with an OpenID Connect provider (Authelia, Authentik, Keycloak, a company IdP). */
import { operation } from '../operation.js';
import { AuthMethods, SsoCallbackQuery } from '../shapes/sso.js';

export const getAuthMethods = operation({
  id: 'getAuthMethods',
  method: 'GET',
  path: '/auth/methods',
  tag: 'auth',
  summary: 'How one may sign in here: password, and single sign-on when configured',
  auth: 'public',
  static: true,
  answers: { 200: { description: 'The sign-in methods', json: AuthMethods } },
});

const redirect = { Location: { description: 'Where the browser goes next', required: true } } as const;

export const ssoStart = operation({
  id: 'ssoStart',
  method: 'GET',
  path: '/auth/oidc/start',
  tag: 'auth',
  summary: 'Begin single sign-on: redirects the browser to the identity provider',
  description:
    'A browser navigation, not an API call: answers 302 to the provider’s authorization endpoint (Authorization Code ' +
    'with PKCE, a state and a nonce) and sets a short-lived HttpOnly cookie binding the sign-in to this browser. ' +
    '404 `sso_not_configured` when the server has no provider; 503 when the provider cannot be reached.',
  auth: 'public',
  answers: { 302: { description: 'To the identity provider', headers: { ...redirect, 'Set-Cookie': { description: 'The sign-in’s binding cookie' } } } },
  errors: [404],
});

export const ssoCallback = operation({
  id: 'ssoCallback',
  method: 'GET',
  path: '/auth/oidc/callback',
  tag: 'auth',
  summary: 'The identity provider’s redirect back: finishes single sign-on with the session cookie',
  description:
    'Verifies the state (it must match this browser’s cookie, and is good once, for ten minutes), exchanges the code ' +
    '(PKCE), checks the ID token (signature, issuer, audience, expiry, nonce), then signs the account in with the ' +
    '`coffer_session` cookie and redirects to the web app. The account is the one linked to the provider’s subject, ' +
    'or a new one made from the claims; its groups and (when configured) admin role follow the claims on every ' +
    'sign-in. A wrong, used or expired state: 400 `sso_state_invalid`; a provider error or a token that does not ' +
    'verify: 400 `sso_failed`; a disabled account: 403 `account_disabled`; claims Coffer cannot use: 403 ' +
    '`sso_claim_invalid`; a username held by an unlinked account: 409 `sso_username_taken`. None of them changes anything.',
  auth: 'public',
  query: SsoCallbackQuery,
  answers: { 302: { description: 'Signed in: to the web app', headers: { ...redirect, 'Set-Cookie': { description: 'The session cookie' } } } },
  errors: [400, 403, 404, 409],
});
