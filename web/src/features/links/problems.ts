import { LinkError } from './link-api';
import { t } from './messages';

/** Why a link cannot be shown, in the visitor's words. */
export function linkProblem(err: unknown, triedPassword: boolean): { text: string; askPassword: boolean } {
  if (!(err instanceof LinkError)) return { text: t('network'), askPassword: false };
  if (err.status === 404) return { text: triedPassword ? t('wrongPassword') : t('notFoundOrPassword'), askPassword: true };
  if (err.status === 429) return { text: err.code === 'link_locked' ? t('locked') : t('slowDown'), askPassword: err.code === 'link_locked' };
  if (err.status === 410) {
    const m = err.message.toLowerCase();
    const text = m.includes('expired') ? t('expired') : m.includes('limit') ? t('exhausted') : m.includes('disabled') ? t('disabled') : m.includes('deleted') ? t('deleted') : t('gone');
    return { text, askPassword: false };
  }
  return { text: err.message, askPassword: false };
}
