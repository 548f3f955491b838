/**
 * What Coffer takes from a provider's claims (the ID token's, with the UserInfo endpoint's over
 * them: Authelia, for one, puts groups only there): a username, email, display name, the groups
 * and whether the person is an administrator, each from the claim the settings name.
 */
import { Username } from '@coffer/protocol';
import { ForbiddenError } from '../../http-errors.js';
import type { OidcConfig } from './config.js';

export interface SsoProfile {
  issuer: string;
  subject: string;
  username: string;
  email?: string;
  emailVerified: boolean;
  displayName?: string;
  /** Coffer group names, after the mapping; undefined when groups are not synced. */
  groups?: string[];
  /** undefined when the settings name no admin value: SSO then leaves roles alone. */
  admin?: boolean;
}

type Claims = Record<string, unknown>;

const MAX_GROUPS = 200;
const MAX_GROUP_NAME = 200;

function str(v: unknown, max: number): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return s && s.length <= max && !/[\u0000-\u001f]/.test(s) ? s : undefined;
}

/** A claim holding one value or a list (groups, roles), as strings. */
function values(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** A provider's username made into a Coffer one (letters, digits, . _ -; 64 at most), or undefined. */
export function usernameFrom(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let name = raw.includes('@') ? raw.slice(0, raw.indexOf('@')) : raw;
  name = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return Username.safeParse(name).success ? name : undefined;
}

export function profileFrom(settings: OidcConfig, issuer: string, claims: Claims): SsoProfile {
  const c = settings.claims;
  const subject = str(claims.sub, 255);
  const email = str(claims[c.email], 320);
  const username = usernameFrom(str(claims[c.username], 256)) ?? usernameFrom(email);
  if (!subject || !username) {
    throw new ForbiddenError(`the identity provider sent no usable username (claim "${c.username}", or an email)`, { code: 'sso_claim_invalid' });
  }
  let groups: string[] | undefined;
  if (c.groups) {
    const named = values(claims[c.groups])
      .map((g) => str(g, MAX_GROUP_NAME))
      .filter((g): g is string => g !== undefined);
    const mapped = settings.groupMap ? named.flatMap((g) => (settings.groupMap!.has(g) ? [settings.groupMap!.get(g)!] : [])) : named;
    groups = [...new Set(mapped)].slice(0, MAX_GROUPS);
  }
  let admin: boolean | undefined;
  if (settings.adminValue !== undefined) {
    const want = settings.adminValue;
    admin = values(claims[c.admin]).some((v) => v === want || (typeof v === 'boolean' && String(v) === want));
  }
  return {
    issuer,
    subject,
    username,
    email,
    emailVerified: claims.email_verified === true,
    displayName: str(claims[c.name], 200),
    groups,
    admin,
  };
}
