/** While an administrator requires two-step verification and this account has none, only enrolment
 *  is open (the server refuses the rest): this screen, with sign-out. */
import { LanguageSwitch } from '../../app/LanguageSwitch';
import { signOut } from '../../session/session';
import { Button } from '../../ui/index';
import { t } from './messages';
import { SecuritySections } from './SecuritySections';

export function EnrolmentRequired() {
  return (
    <main id="main" class="account enrolment-page">
      <div class="brand" aria-hidden="true">
        Coffer
      </div>
      <h1>{t('stepTitle')}</h1>
      <p class="banner" role="status">
        {t('requiredBanner')}
      </p>
      <SecuritySections />
      <div class="row">
        <Button variant="ghost" onClick={() => void signOut()}>
          {t('signOut')}
        </Button>
        <LanguageSwitch />
      </div>
    </main>
  );
}
