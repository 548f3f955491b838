/** What went wrong, in words for the person at the screen. */
import { ApiError } from '../../api/client';
import { t } from './messages';

export function reasonOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'invalid_code') return t('wrongCode');
    if (err.code === 'wrong_password') return t('wrongPassword');
    if (err.code === 'two_factor_ticket_invalid') return t('expired');
    if (err.status === 429) {
      const s = (err.details as { retryAfter?: number } | undefined)?.retryAfter;
      return t('tooMany', { s: s ?? 60 });
    }
    return t('failed', { msg: err.message });
  }
  // WebAuthn refusals (NotAllowedError: cancelled or timed out) and the like.
  return t('failed', { msg: err instanceof Error ? err.message : String(err) });
}
