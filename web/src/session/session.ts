/**
 * Who is signed in: `me` is undefined while unknown (first load), null when signed out. The
 * session itself is the HttpOnly cookie the server sets at sign-in; the app never sees its token.
 *
 * The last answer is remembered on this device (until sign-out or a 401) and used at once on the
 * next load while /me is asked again: the screen's own requests then start in parallel with /me
 * instead of after it, which is most of a cold load's wait for the first listing. A stale copy
 * costs nothing: the fresh /me replaces it, and a gone session answers 401 and signs out.
 */
import { signal } from '@preact/signals';
import { Me, userOperations as ops, type TwoFactorChallenge } from '@coffer/protocol';
import { ApiError, call, whenUnauthorized } from '../api/client';
import { forgetOfflineCopies } from '../pwa/register';

const REMEMBERED = 'coffer.me';

function remembered(): Me | undefined {
  try {
    const saved = localStorage.getItem(REMEMBERED);
    const parsed = saved ? Me.safeParse(JSON.parse(saved)) : undefined;
    return parsed?.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function remember(m: Me | null): void {
  try {
    if (m) localStorage.setItem(REMEMBERED, JSON.stringify(m));
    else localStorage.removeItem(REMEMBERED);
  } catch {
    // storage blocked: nothing remembered, the next load asks first
  }
}

export const me = signal<Me | null | undefined>(remembered());

function signedOut(): void {
  me.value = null;
  remember(null);
}

/** A sign-in whose password was right and that waits for its second factor (features/account/TwoFactorStep). */
export const secondStep = signal<TwoFactorChallenge['twoFactor'] | null>(null);

whenUnauthorized(() => {
  signedOut();
  void forgetOfflineCopies();
});

export async function loadMe(): Promise<void> {
  try {
    me.value = await call(ops.getMe);
    remember(me.value);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signedOut();
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
    signedOut();
    await forgetOfflineCopies();
  }
}
