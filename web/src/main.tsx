import { render } from 'preact';
import './ui/theme.css';
import './app/app.css';
import './features/files/files.css';
import './features/transfers/transfers.css';
import { App } from './app/App';
import { lang } from './i18n/i18n';
import { loadMe } from './session/session';
import { applyTheme } from './ui/index';

applyTheme();
document.documentElement.lang = lang.value;
render(<App />, document.getElementById('app')!);
void loadMe();
