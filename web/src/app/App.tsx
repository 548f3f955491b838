import { useEffect } from 'preact/hooks';
import { PreviewHost } from '../features/preview/index';
import { ShareHost } from '../features/sharing/index';
import { LiveHost } from '../live/LiveHost';
import { SignIn } from '../features/signin/SignIn';
import { me, secondStep } from '../session/session';
import { Toasts } from '../ui/index';
import { Layout } from './Layout';
import { OfflineBanner } from './OfflineBanner';
import { t } from './messages';
import { matchRoute } from './routes';
import { location } from './router';
import { lazyView } from './lazy';

// Steps few page loads show: loaded when one does (lazy.tsx).
const EnrolmentRequired = lazyView(() => import('../features/account/EnrolmentRequired').then((m) => m.EnrolmentRequired));
const TwoFactorStep = lazyView(() => import('../features/account/TwoFactorStep').then((m) => m.TwoFactorStep));
const PasswordChange = lazyView(() => import('../features/signin/PasswordChange').then((m) => m.PasswordChange));

export function App() {
  const loc = location.value;
  const found = matchRoute(loc.path);
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [loc.path]);
  let screen;
  if (found?.route.public) {
    const View = found.route.view;
    screen = <View params={found.params} />;
  } else if (me.value === undefined) {
    screen = (
      <div class="boot" role="status">
        <div class="spinner" />
        <span class="sr-only">{t('loading')}</span>
      </div>
    );
  } else if (me.value === null) {
    screen = secondStep.value ? <TwoFactorStep challenge={secondStep.value} /> : <SignIn />;
  } else if (me.value.mustChangePassword) {
    screen = <PasswordChange />;
  } else if (me.value.twoFactorEnrolmentRequired) {
    screen = <EnrolmentRequired />;
  } else if (!found) {
    screen = (
      <Layout>
        <p class="empty">{t('notFound')}</p>
      </Layout>
    );
  } else {
    const View = found.route.view;
    screen = (
      <Layout>
        <View params={found.params} />
      </Layout>
    );
  }
  return (
    <>
      <OfflineBanner />
      {screen}
      <LiveHost />
      <PreviewHost />
      <ShareHost />
      <Toasts />
    </>
  );
}
