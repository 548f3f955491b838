/** How many recovery codes are left, and new ones (after confirming it is you). */
import { useState } from 'preact/hooks';
import { userOperations as ops } from '@coffer/protocol';
import { call } from '../../api/client';
import { Button } from '../../ui/index';
import { t } from './messages';
import { ReauthDialog } from './ReauthDialog';
import { reloadTwoFactor, shownCodes, twoFactor } from './status';

export function RecoveryCodesSection() {
  const status = twoFactor.value;
  const [asking, setAsking] = useState(false);
  if (!status?.enabled) return null;
  return (
    <section class="card account-section" aria-labelledby="recovery-title">
      <h3 id="recovery-title">{t('recoveryTitle')}</h3>
      <p class="muted">{t('recoveryWhy')}</p>
      <p data-testid="recovery-left">{t('recoveryLeft', { n: status.recoveryCodesLeft })}</p>
      <Button onClick={() => setAsking(true)}>{t('regenerate')}</Button>
      {asking && (
        <ReauthDialog
          title={t('regenerate')}
          action={t('continue')}
          hasCode
          onClose={() => setAsking(false)}
          run={async (proof) => {
            shownCodes.value = (await call(ops.regenerateRecoveryCodes, { body: proof })).recoveryCodes;
            await reloadTwoFactor();
          }}
        />
      )}
    </section>
  );
}
