import { render } from 'preact';
import '@coffer/web/ui/theme.css';
import '@coffer/web/ui/shell.css';
import './app/admin.css';
import { lang } from '@coffer/web/i18n';
import { applyTheme } from '@coffer/web/ui';
import { App } from './app/App';
import { loadMe } from './app/session';

applyTheme();
document.documentElement.lang = lang.value;
render(<App />, document.getElementById('app')!);
const whoAmI = () => void loadMe().catch(() => setTimeout(whoAmI, 3000));
whoAmI();
