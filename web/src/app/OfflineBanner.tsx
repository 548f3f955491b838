import { offline } from '../api/network';
import { Icon } from '../ui/index';
import { t } from './messages';

/** A strip at the top while the server cannot be reached: what the screen shows may be old. */
export function OfflineBanner() {
  if (!offline.value) return null;
  return (
    <div class="offline-banner" role="status">
      <Icon name="cloudOff" />
      <span>{t('offline')}</span>
    </div>
  );
}
