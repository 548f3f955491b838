/**
 * Who is signed in: `me` is undefined while unknown (first load), null when signed out. The
 * session itself is the HttpOnly cookie the server sets at sign-in; the app never sees its token.
 */
import { signal } from '@preact/signals';
import { operations as ops, type Me } from '@coffer/protocol';
import { ApiError, call, whenUnauthorized } from '../api/client';
import { forgetOfflineCopies } from '../pwa/register';

export const me = signal<Me | null | undefined>(undefined);

whenUnauthorized(() => {
  me.value = null;
  void forgetOfflineCopies();
});

export async function loadMe(): Promise<void> {
  try {
    me.value = await call(ops.getMe);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) me.value = null;
    else throw err;
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  await call(ops.login, { body: { username, password, cookie: true } });
  await loadMe();
}

export async function signOut(): Promise<void> {
  try {
    await call(ops.logout);
  } finally {
    me.value = null;
    await forgetOfflineCopies();
  }
}
