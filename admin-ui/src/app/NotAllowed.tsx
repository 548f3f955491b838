import { Button } from '@coffer/web/ui';
import { t } from './messages';
import { me, signOut } from './session';

/** A signed-in user who is not an administrator: the API would refuse every call, so say so plainly. */
export function NotAllowed() {
  return (
    <main class="auth-page" id="main">
      <div class="card auth-card">
        <span class="brand">Coffer</span>
        <h1>{t('notAllowedTitle')}</h1>
        <p>{t('notAllowed', { name: me.value?.username ?? '' })}</p>
        <a class="btn btn-primary wide" href="/">
          {t('backToDrive')}
        </a>
        <Button variant="ghost" onClick={() => void signOut()}>
          {t('signOut')}
        </Button>
      </div>
    </main>
  );
}
