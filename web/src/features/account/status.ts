/** The caller's two-factor status, shared by the account page's sections. */
import { signal } from '@preact/signals';
import { userOperations as ops, type TwoFactorStatus } from '@coffer/protocol';
import { call } from '../../api/client';
import { loadMe, me } from '../../session/session';

export const twoFactor = signal<TwoFactorStatus | undefined>(undefined);
/** Recovery codes to show once (after the first factor, or new ones). */
export const shownCodes = signal<string[] | null>(null);

export async function reloadTwoFactor(): Promise<void> {
  twoFactor.value = await call(ops.getTwoFactor);
  // An enrolment the administrator required: the rest of the app opens, once the codes were seen.
  if (!shownCodes.value) await openAppIfEnrolled();
}

/** The recovery codes were seen (and, one hopes, saved). */
export async function codesSeen(): Promise<void> {
  shownCodes.value = null;
  await openAppIfEnrolled();
}

async function openAppIfEnrolled(): Promise<void> {
  if (me.value?.twoFactorEnrolmentRequired && twoFactor.value?.enabled) await loadMe();
}
