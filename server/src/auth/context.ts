/** Who is calling: set on the request by the authenticate middleware, read by every route. */
export interface AuthUser {
  id: string;
  username: string;
  role: 'user' | 'admin';
  /** The user's home namespace (their own files). */
  namespaceId: string;
  /** The device the token belongs to, when it is a device token. */
  deviceId?: string;
  tokenKind: 'session' | 'device' | 'app_password';
  /** Set for the first admin and admin-made accounts: apps should ask for a new password. */
  mustChangePassword?: boolean;
}

/** How the caller proved who they are: which stored token, and whether it came as a bearer
 *  header or the browser's cookie (only the cookie needs CSRF protection). */
export interface Credential {
  tokenId: string;
  via: 'bearer' | 'cookie';
}

export type AppEnv = { Variables: { user: AuthUser; credential: Credential } };
