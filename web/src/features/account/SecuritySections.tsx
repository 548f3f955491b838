/** The two-factor part of the account page (also the whole screen while an administrator requires enrolment). */
import { useEffect } from 'preact/hooks';
import { toast } from '../../ui/index';
import { reasonOf } from './errors';
import { t } from './messages';
import { PasskeysSection } from './PasskeysSection';
import { RecoveryCodesSection } from './RecoveryCodesSection';
import { RecoveryCodesShown } from './RecoveryCodesShown';
import { codesSeen, reloadTwoFactor, shownCodes, twoFactor } from './status';
import { TotpSection } from './TotpSection';

export function SecuritySections() {
  useEffect(() => {
    reloadTwoFactor().catch((err: unknown) => toast(reasonOf(err)));
  }, []);
  return (
    <section class="account-group" aria-labelledby="security-title">
      <h2 id="security-title">{t('security')}</h2>
      <p class="muted">{t('securityWhy')}</p>
      {twoFactor.value === undefined ? (
        <p role="status">{t('loading')}</p>
      ) : (
        <>
          <TotpSection />
          <PasskeysSection />
          <RecoveryCodesSection />
        </>
      )}
      {shownCodes.value && <RecoveryCodesShown codes={shownCodes.value} onClose={() => void codesSeen()} />}
    </section>
  );
}
