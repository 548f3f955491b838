/**
 * The two halves of a single sign-on (OpenID Connect Authorization Code flow with PKCE, a state
 * and a nonce, through openid-client): `startSignIn` makes the provider URL the browser is sent
 * to; `finishSignIn` checks the redirect back and answers the account to sign in. Any failure is
 * a 4xx that changes nothing (a used state stays used).
 */
import { timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Db } from '../../db/open.js';
import { BadRequestError, HttpError, ServiceUnavailableError } from '../../http-errors.js';
import type { UserRow } from '../users.js';
import { ssoAccount } from './accounts.js';
import { profileFrom } from './claims.js';
import { beginSignIn, takeSignIn } from './pending.js';
import type { OidcProvider } from './provider.js';

export async function startSignIn(db: Db, provider: OidcProvider, redirectUri: string): Promise<{ url: URL; state: string }> {
  const config = await provider.configuration();
  const p = await beginSignIn(db, redirectUri);
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: provider.settings.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(p.codeVerifier),
    code_challenge_method: 'S256',
    state: p.state,
    nonce: p.nonce,
  });
  return { url, state: p.state };
}

const STATE_INVALID = 'this sign-in is unknown, was used already, expired, or was started in another browser: start again';

function sameState(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `query` is the redirect's query string as received; `cookieState` the state this browser was
 * given at the start. The state must match it before the stored sign-in is taken, so a callback
 * planted in someone else's browser neither signs them in nor spends their own sign-in.
 */
export async function finishSignIn(db: Db, provider: OidcProvider, query: URLSearchParams, cookieState: string | undefined): Promise<UserRow> {
  const state = query.get('state');
  if (!state || !cookieState || !sameState(state, cookieState)) throw new BadRequestError(STATE_INVALID, { code: 'sso_state_invalid' });
  const pending = await takeSignIn(db, state);
  if (!pending) throw new BadRequestError(STATE_INVALID, { code: 'sso_state_invalid' });
  const error = query.get('error');
  if (error) {
    const why = query.get('error_description');
    throw new BadRequestError(`the identity provider refused the sign-in: ${error}${why ? ` (${why.slice(0, 300)})` : ''}`, { code: 'sso_failed' });
  }
  const config = await provider.configuration();
  const current = new URL(pending.redirectUri);
  current.search = query.toString();
  let claims: Record<string, unknown>;
  try {
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims()!;
    claims = { ...idClaims };
    if (config.serverMetadata().userinfo_endpoint) {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      // UserInfo adds what the ID token lacks (Authelia puts groups only there); the signed token's own values win.
      claims = { ...info, ...idClaims };
    }
  } catch (err) {
    throw providerFailure(err);
  }
  const profile = profileFrom(provider.settings, config.serverMetadata().issuer, claims);
  return ssoAccount(db, profile, { linkByEmail: provider.settings.linkByEmail });
}

/** Unreachable provider: 503, try again; anything it answered that does not verify: 400 `sso_failed`. */
function providerFailure(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const code = (err as { code?: unknown }).code;
  const network = err instanceof TypeError && !(err instanceof oidc.ClientError) && code !== 'ERR_INVALID_ARG_VALUE';
  if (code === 'OAUTH_TIMEOUT' || code === 'ABORT_ERR' || (err as Error).name === 'TimeoutError' || network) {
    return new ServiceUnavailableError('the identity provider cannot be reached; try again shortly', { cause: err, retryAfter: 10 });
  }
  const what = err instanceof oidc.AuthorizationResponseError || err instanceof oidc.ResponseBodyError ? `${err.error}${err.error_description ? `: ${err.error_description}` : ''}` : describe(err);
  return new BadRequestError(`the identity provider's answer did not verify: ${String(what).slice(0, 300)}`, { code: 'sso_failed', cause: err });
}

/** The error's message with its causes' (openid-client wraps the precise reason: "JWT signature verification failed"). */
function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) parts.push(e.message);
  return parts.join(': ');
}
