import type { Caller } from '@coffer/protocol';

/** Who is calling: set on the request by the authenticate middleware, read by every route. Its
 *  shape is the protocol's `Caller` (GET /me answers it, with the quota). */
export type AuthUser = Caller;

/** How the caller proved who they are: which stored token, and whether it came as a bearer
 *  header or the browser's cookie (only the cookie needs CSRF protection). */
export interface Credential {
  tokenId: string;
  via: 'bearer' | 'cookie';
}

export type AppEnv = { Variables: { user: AuthUser; credential: Credential } };
