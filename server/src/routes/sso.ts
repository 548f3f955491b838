/** Single sign-on (auth/oidc/): the sign-in methods, the redirect to the provider and its redirect back. */
import type { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import { finishSignIn, startSignIn } from '../auth/oidc/flow.js';
import { SSO_LOGIN_TTL_MS } from '../auth/oidc/pending.js';
import { OidcProvider } from '../auth/oidc/provider.js';
import { secureCookies, startSession } from '../auth/session.js';
import { hashToken } from '../auth/tokens.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { HttpError, NotFoundError } from '../http-errors.js';
import { absoluteUrl } from '../public-url.js';
import { wantsPage } from '../web/static.js';

/**
 * Binds a sign-in to the browser that started it (login CSRF: RFC 6749 §10.12): one cookie per
 * sign-in, named after its state, so two at once (two tabs; or a service worker's navigation
 * preload, which sends a second /start whose cookie would overwrite the first's) each keep theirs.
 */
const stateCookie = (state: string) => `coffer_sso_${hashToken(state).slice(0, 16)}`;
const COOKIE_PATH = '/api/v1/auth/oidc';
const CALLBACK_PATH = '/api/v1/auth/oidc/callback';

export function ssoRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, config } = deps;
  const r = operationRouter(deps);
  const settings = config.signIn.oidc;
  const provider = settings && new OidcProvider(settings);
  const home = config.publicUrl ? `${config.publicUrl}/` : '/';
  const configured = () => {
    if (!provider) throw new NotFoundError('single sign-on is not configured on this server', { code: 'sso_not_configured' });
    return provider;
  };

  r.mount(ops.getAuthMethods, async () => ({
    status: 200,
    body: {
      password: config.signIn.passwordLogin,
      sso: settings ? { label: settings.label, startPath: '/api/v1/auth/oidc/start' } : null,
    },
  }));

  r.mount(ops.ssoStart, async (_input, c) => {
    const p = configured();
    const redirectUri = settings!.redirectUrl ?? absoluteUrl(c, config, CALLBACK_PATH);
    const { url, state } = await startSignIn(db, p, redirectUri);
    // Lax: the provider's redirect back is a top-level GET from another site, which Lax lets through.
    setCookie(c, stateCookie(state), state, { httpOnly: true, secure: secureCookies(c, config), sameSite: 'Lax', path: COOKIE_PATH, maxAge: SSO_LOGIN_TTL_MS / 1000 });
    return c.redirect(url.href, 302);
  });

  r.mount(ops.ssoCallback, async (_input, c) => {
    const p = configured();
    // The query as the provider sent it (the operation's schema has checked its known fields).
    const query = new URL(c.req.url).searchParams;
    const state = query.get('state');
    const cookie = state ? stateCookie(state) : undefined;
    const cookieState = cookie && getCookie(c, cookie);
    let user: Awaited<ReturnType<typeof finishSignIn>>;
    try {
      user = await finishSignIn(db, p, query, cookieState);
    } catch (err) {
      // A browser sent back by the provider gets the sign-in page saying what failed (by code
      // only: nothing the provider wrote is reflected into the page); API clients get the JSON error.
      if (err instanceof HttpError && wantsPage(c)) return c.redirect(`${home}?sso_error=${encodeURIComponent(err.code)}`, 302);
      throw err;
    }
    // The identity provider owns the second factor: Coffer's own (TOTP, passkeys) guards password sign-in.
    await startSession(c, db, config, user, { cookie: true });
    deleteCookie(c, cookie!, { path: COOKIE_PATH, secure: secureCookies(c, config), httpOnly: true, sameSite: 'Lax' });
    return c.redirect(home, 302);
  });

  return r.router;
}
