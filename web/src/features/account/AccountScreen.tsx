/** /account: who is signed in, sign-in security (authenticator app, passkeys, recovery codes), app passwords. */
import { me } from '../../session/session';
import { AppPasswordsSection } from './AppPasswordsSection';
import { t } from './messages';
import { SecuritySections } from './SecuritySections';

export function AccountScreen() {
  return (
    <div class="account">
      <h1>{t('accountTitle')}</h1>
      <p class="muted">{t('signedInAs', { name: me.value?.username ?? '' })}</p>
      <SecuritySections />
      <AppPasswordsSection />
    </div>
  );
}
