/**
 * Who is signed in: undefined while unknown, null when signed out. The session is the web app's
 * HttpOnly cookie (same origin), so signing in at / also signs in here and the other way round.
 */
import { signal } from '@preact/signals';
import { operations as ops, type Me } from '@coffer/protocol';
import { ApiError, call, whenUnauthorized } from '@coffer/web/api';

export const me = signal<Me | null | undefined>(undefined);
/** A sign-in that needs a second step: finished in the web app (it has the passkey and code screens). */
export const needsSecondStep = signal(false);

whenUnauthorized(() => {
  me.value = null;
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
  const answer = await call(ops.login, { body: { username, password, cookie: true } });
  if ('twoFactor' in answer) {
    needsSecondStep.value = true;
    return;
  }
  await loadMe();
}

export async function signOut(): Promise<void> {
  try {
    await call(ops.logout);
  } finally {
    me.value = null;
  }
}
