/**
 * Who is signed in: `me` is undefined while unknown (first load), null when signed out. The
 * session itself is the HttpOnly cookie the server sets at sign-in; the app never sees its token.
 */
import { signal } from '@preact/signals';
import { operations as ops, type Me, type TwoFactorChallenge } from '@coffer/protocol';
import { ApiError, call, whenUnauthorized } from '../api/client';

export const me = signal<Me | null | undefined>(undefined);

/** A sign-in whose password was right and that waits for its second factor (features/account/TwoFactorStep). */
export const secondStep = signal<TwoFactorChallenge['twoFactor'] | null>(null);

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
    secondStep.value = answer.twoFactor;
    return;
  }
  await loadMe();
}

/** The sign-in finished by its second step, or by a passkey alone (the server set the cookie). */
export async function signedIn(): Promise<void> {
  secondStep.value = null;
  await loadMe();
}

export async function signOut(): Promise<void> {
  try {
    await call(ops.logout);
  } finally {
    me.value = null;
  }
}
