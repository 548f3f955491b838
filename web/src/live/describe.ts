/** One notification as a sentence ("alice shared 'Plans' with you"), in the current language. */
import type { Notification } from '@coffer/protocol';
import { t } from './messages';

/** `by` is a username (sharing) or `{ username }` (edits through a share). */
function byOf(p: Record<string, unknown>): string {
  const by = p.by;
  if (typeof by === 'string') return by;
  if (by && typeof by === 'object' && 'username' in by && typeof by.username === 'string') return by.username;
  return t('someone');
}

function nameOf(p: Record<string, unknown>): string {
  if (typeof p.name === 'string') return p.name;
  if (typeof p.path === 'string') return p.path.split('/').pop() || p.path;
  return '…';
}

export function describe(n: Notification): string {
  const p = n.payload;
  const vars = { by: byOf(p), name: nameOf(p), count: n.count ?? (typeof p.count === 'number' ? p.count : 1) };
  switch (n.kind) {
    case 'share_offered':
      return t('shareOffered', vars);
    case 'share_accepted':
      return t('shareAccepted', vars);
    case 'share_declined':
      return t('shareDeclined', vars);
    case 'share_revoked':
      return t('shareRevoked', vars);
    case 'edit':
      return t('edited', vars);
    case 'delete':
      return t('deleted', vars);
    case 'share':
      return t('sharedOn', vars);
    case 'conflict':
      return t('conflict', vars);
    case 'activity':
      return t('activity', vars);
    case 'link_drop':
      return t('linkDrop', vars);
    case 'link_limit':
      return t('linkLimit', vars);
    default:
      return t('other');
  }
}
