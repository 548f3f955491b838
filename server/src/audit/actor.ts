/** The actor of a request, as the audit log records it: the signed-in user and the client's address. */
import type { Context } from 'hono';
import { clientIp } from '../auth/client-ip.js';
import type { AppEnv, AuthUser } from '../auth/context.js';
import type { Actor } from './record.js';

export function actorOf(c: Context<AppEnv>, user: Pick<AuthUser, 'id' | 'username'> | undefined, trustProxy: boolean): Actor {
  return { id: user?.id ?? null, name: user?.username ?? null, address: clientIp(c, trustProxy) };
}
