/** What a failed sharing call says to the user (known codes in their words, else the server's message). */
import { ApiError } from '../../api/client';
import { t } from './messages';

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const known: Record<string, string> = {
      no_such_grantee: t('errNoGrantee'),
      already_shared: t('errAlreadyShared'),
      share_self: t('errSelf'),
      share_in_share: t('errShareInShare'),
      cannot_share: t('errCannotShare'),
      name_taken: t('errNameTaken'),
    };
    return known[err.code] ?? err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
