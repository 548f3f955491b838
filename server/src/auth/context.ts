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
}

export type AppEnv = { Variables: { user: AuthUser } };
