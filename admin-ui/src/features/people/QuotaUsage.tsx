import { formatSize } from '../../app/format';
import { ProgressBar } from '@coffer/web/ui';
import type { AdminUser } from '@coffer/protocol';
import { t } from './messages';

/** A user's use of their quota: a bar (red when full) and the words. */
export function QuotaUsage(props: { user: AdminUser }) {
  const u = props.user;
  const used = u.usedBytes + u.reservedBytes;
  const frac = u.quotaBytes > 0 ? used / u.quotaBytes : 1;
  return (
    <div class={`usage${frac >= 0.95 ? ' usage-full' : ''}`} data-testid={`quota-${u.username}`}>
      <div class={frac >= 0.95 ? 'progress-wrap full' : 'progress-wrap'}>
        <ProgressBar value={frac} label={t('usageLabel', { name: u.username })} />
      </div>
      <span class="muted">{t('usage', { used: formatSize(used), quota: formatSize(u.quotaBytes) })}</span>
    </div>
  );
}
