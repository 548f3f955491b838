/**
 * Single sign-on settings (COFFER_OIDC_*), validated once at boot with the rest of the config.
 * SSO is on when COFFER_OIDC_ISSUER is set; everything else has a default that suits Authelia,
 * Authentik and Keycloak (README "Single sign-on").
 */
import { z } from 'zod';

const flag = z.enum(['0', '1', 'true', 'false']);
const on = (v: string) => v === '1' || v === 'true';
const blankIsUnset = (v: unknown) => (v === '' ? undefined : v);
const claimName = z.string().regex(/^[A-Za-z0-9_.:/-]{1,128}$/, 'a claim name: letters, digits and _ . : / -');

/** Loopback issuers may speak plain HTTP (a provider on the same machine, the tests); any other must be HTTPS. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const Env = z.object({
  COFFER_OIDC_ISSUER: z.preprocess(
    blankIsUnset,
    z
      .url({ protocol: /^https?$/ })
      .refine((u) => !URL.canParse(u) || new URL(u).protocol === 'https:' || isLoopback(new URL(u).hostname), 'the issuer must be https (plain http only on loopback)')
      .optional(),
  ),
  COFFER_OIDC_CLIENT_ID: z.preprocess(blankIsUnset, z.string().max(512).optional()),
  /** Unset: a public client (PKCE alone). */
  COFFER_OIDC_CLIENT_SECRET: z.preprocess(blankIsUnset, z.string().max(4096).optional()),
  /** Default: COFFER_PUBLIC_URL + /api/v1/auth/oidc/callback, else the address the browser used. */
  COFFER_OIDC_REDIRECT_URL: z.preprocess(blankIsUnset, z.url({ protocol: /^https?$/ }).optional()),
  COFFER_OIDC_SCOPES: z.string().default('openid profile email groups'),
  COFFER_OIDC_USERNAME_CLAIM: claimName.default('preferred_username'),
  COFFER_OIDC_EMAIL_CLAIM: claimName.default('email'),
  COFFER_OIDC_NAME_CLAIM: claimName.default('name'),
  /** Empty: groups are not synced. */
  COFFER_OIDC_GROUPS_CLAIM: z.union([z.literal(''), claimName]).default('groups'),
  /** `idp-group=Coffer group,…`; unset: every value of the groups claim names a Coffer group of the same name. */
  COFFER_OIDC_GROUP_MAP: z.preprocess(blankIsUnset, z.string().optional()),
  /** Default: the groups claim. */
  COFFER_OIDC_ADMIN_CLAIM: z.preprocess(blankIsUnset, claimName.optional()),
  /** The value of the admin claim that makes an administrator; unset: SSO never changes roles. */
  COFFER_OIDC_ADMIN_VALUE: z.preprocess(blankIsUnset, z.string().max(256).optional()),
  /** Link a first SSO sign-in to an existing local account with the same (verified) email. */
  COFFER_OIDC_LINK_BY_EMAIL: flag.default('0'),
  COFFER_OIDC_LABEL: z.string().min(1).max(64).default('SSO'),
  /** 0: only single sign-on (POST /auth/login, sign-up and the account password on /dav/ are refused). */
  COFFER_PASSWORD_LOGIN: flag.default('1'),
});

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUrl?: string;
  scopes: string;
  claims: { username: string; email: string; name: string; groups?: string; admin: string };
  /** Claim value → Coffer group name; undefined: the same name. */
  groupMap?: ReadonlyMap<string, string>;
  adminValue?: string;
  linkByEmail: boolean;
  label: string;
}

export interface SignInConfig {
  /** Single sign-on, when COFFER_OIDC_ISSUER is set. */
  oidc?: OidcConfig;
  /** Username and password sign-in is allowed (COFFER_PASSWORD_LOGIN). */
  passwordLogin: boolean;
}

function parseGroupMap(raw: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of raw.split(',')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const from = pair.slice(0, eq).trim();
    const to = pair.slice(eq + 1).trim();
    if (eq < 0 || !from || !to) throw new Error(`COFFER_OIDC_GROUP_MAP: "${pair.trim()}" is not idp-group=coffer-group`);
    map.set(from, to);
  }
  return map;
}

export function signInConfigFrom(env: NodeJS.ProcessEnv): SignInConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const passwordLogin = on(e.COFFER_PASSWORD_LOGIN);
  if (!e.COFFER_OIDC_ISSUER) {
    if (!passwordLogin) throw new Error('invalid configuration: COFFER_PASSWORD_LOGIN=0 needs single sign-on (COFFER_OIDC_ISSUER)');
    return { passwordLogin };
  }
  if (!e.COFFER_OIDC_CLIENT_ID) throw new Error('invalid configuration: COFFER_OIDC_ISSUER needs COFFER_OIDC_CLIENT_ID');
  if (!e.COFFER_OIDC_SCOPES.split(/\s+/).includes('openid')) throw new Error('invalid configuration: COFFER_OIDC_SCOPES must include openid');
  const groups = e.COFFER_OIDC_GROUPS_CLAIM || undefined;
  let groupMap: Map<string, string> | undefined;
  try {
    groupMap = e.COFFER_OIDC_GROUP_MAP ? parseGroupMap(e.COFFER_OIDC_GROUP_MAP) : undefined;
  } catch (err) {
    throw new Error(`invalid configuration: ${(err as Error).message}`);
  }
  return {
    passwordLogin,
    oidc: {
      issuer: e.COFFER_OIDC_ISSUER,
      clientId: e.COFFER_OIDC_CLIENT_ID,
      clientSecret: e.COFFER_OIDC_CLIENT_SECRET,
      redirectUrl: e.COFFER_OIDC_REDIRECT_URL,
      scopes: e.COFFER_OIDC_SCOPES.trim().split(/\s+/).join(' '),
      claims: {
        username: e.COFFER_OIDC_USERNAME_CLAIM,
        email: e.COFFER_OIDC_EMAIL_CLAIM,
        name: e.COFFER_OIDC_NAME_CLAIM,
        groups,
        admin: e.COFFER_OIDC_ADMIN_CLAIM ?? groups ?? 'groups',
      },
      groupMap,
      adminValue: e.COFFER_OIDC_ADMIN_VALUE,
      linkByEmail: on(e.COFFER_OIDC_LINK_BY_EMAIL),
      label: e.COFFER_OIDC_LABEL,
    },
  };
}
