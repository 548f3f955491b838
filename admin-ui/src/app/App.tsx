import { useEffect } from 'preact/hooks';
import { Toasts } from '@coffer/web/ui';
import { Layout } from './Layout';
import { t } from './messages';
import { NotAllowed } from './NotAllowed';
import { ROUTES } from './routes';
import { location } from './router';
import { me } from './session';
import { SignIn } from './SignIn';

/** Unknown session → spinner; signed out → sign-in; not an administrator → "not allowed"; else the page. */
export function App() {
  const path = location.value.path;
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
    document.title = t('title');
  }, [path]);
  let screen;
  if (me.value === undefined) {
    screen = (
      <div class="boot" role="status">
        <div class="spinner" />
        <span class="sr-only">{t('loading')}</span>
      </div>
    );
  } else if (me.value === null) {
    screen = <SignIn />;
  } else if (me.value.role !== 'admin') {
    screen = <NotAllowed />;
  } else {
    const View = ROUTES[path];
    screen = <Layout>{View ? <View /> : <p class="empty">{t('notFound')}</p>}</Layout>;
  }
  return (
    <>
      {screen}
      <Toasts />
    </>
  );
}
