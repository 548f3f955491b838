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
import { App } from './app/App';
import { lang } from './i18n/i18n';
import { registerServiceWorker } from './pwa/register';
import { loadMe, me } from './session/session';
import { applyTheme } from './ui/index';

applyTheme();
document.documentElement.lang = lang.value;
render(<App />, document.getElementById('app')!);
// Offline with nothing cached, who is signed in stays unknown: ask again when the network is back.
const whoAmI = () => void loadMe().catch(() => {});
whoAmI();
window.addEventListener('online', () => me.value === undefined && whoAmI());
registerServiceWorker();
