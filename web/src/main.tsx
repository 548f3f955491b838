import { render } from 'preact';
import './ui/theme.css';
import './ui/shell.css';
import './app/app.css';
import './features/files/files.css';
import './features/preview/preview.css';
import './features/sharing/sharing.css';
import './features/links/links.css';
import './live/live.css';
import './features/account/account.css';
import './features/share-target/share-target.css';
import './features/transfers/transfers.css';
import './api/network'; // watches every answer for the offline banner, before the first call
import { App } from './app/App';
import { lang } from './i18n/i18n';
import { registerServiceWorker } from './pwa/register';
import { loadMe, me } from './session/session';
import { drivePathOf } from './app/router';
import { prefetchFirstPage } from './features/files/listing';
import { applyTheme } from './ui/index';

applyTheme();
// The files screen's first page is asked now, before the app renders: with nothing remembered of
// who is signed in the screen would wait for /me, and even with it would ask only after first paint.
if (/^\/(?:files(?:\/|$)|$)/.test(window.location.pathname)) {
  try {
    prefetchFirstPage(drivePathOf(decodeURIComponent(window.location.pathname)));
  } catch {
    // a malformed URL: the screen says so
  }
}
document.documentElement.lang = lang.value;
render(<App />, document.getElementById('app')!);
// Offline with nothing cached, who is signed in stays unknown: ask again when the network is back.
const whoAmI = () => void loadMe().catch(() => {});
whoAmI();
window.addEventListener('online', () => me.value === undefined && whoAmI());
registerServiceWorker();
