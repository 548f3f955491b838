import { formatBytes } from '../i18n/i18n';
import { me } from '../session/session';
import { ProgressBar } from '../ui/index';
import { t } from './messages';

export function QuotaBar() {
  const m = me.value;
  if (!m) return null;
  const used = m.usedBytes + m.reservedBytes;
  const frac = m.quotaBytes > 0 ? used / m.quotaBytes : 0;
  return (
    <div class="quota">
      <ProgressBar value={frac} label={t('quotaLabel')} />
      <span class="muted">{t('quota', { used: formatBytes(used), total: formatBytes(m.quotaBytes) })}</span>
    </div>
  );
}
