import { signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { Button, Icon, LanguageSelect, ThemeSelect, type IconName } from '@coffer/web/ui';
import { Link } from './Link';
import { t } from './messages';
import { location } from './router';
import { me, signOut } from './session';

const menuOpen = signal(false);

const NAV: { to: string; icon: IconName; label: () => string }[] = [
  { to: '/', icon: 'grid', label: () => t('overview') },
  { to: '/people', icon: 'people', label: () => t('people') },
  { to: '/storage', icon: 'folder', label: () => t('storage') },
  { to: '/jobs', icon: 'history', label: () => t('jobs') },
  { to: '/audit', icon: 'list', label: () => t('audit') },
  { to: '/settings', icon: 'edit', label: () => t('settings') },
];

/** The frame of every page: the web app's shell (top bar, navigation — a drawer on phones), the page. */
export function Layout(props: { children: ComponentChildren }) {
  const path = location.value.path;
  return (
    <div class={`shell${menuOpen.value ? ' menu-open' : ''}`}>
      <a class="skip" href="#main">
        {t('skip')}
      </a>
      <header class="topbar">
        <Button variant="ghost" icon class="menu-btn" aria-label={menuOpen.value ? t('closeMenu') : t('openMenu')} aria-expanded={menuOpen.value} aria-controls="nav" onClick={() => (menuOpen.value = !menuOpen.value)}>
          <Icon name="menu" />
        </Button>
        <Link to="/" class="brand">
          Coffer <span class="brand-sub">admin</span>
        </Link>
        <div class="topbar-slot" />
        <span class="muted topbar-user">{me.value?.username}</span>
      </header>
      <nav id="nav" class="sidenav" aria-label={t('navigation')} onClick={() => (menuOpen.value = false)}>
        <ul>
          {NAV.map((item) => (
            <li key={item.to}>
              <Link to={item.to} class="navlink" aria-current={path === item.to ? 'page' : undefined}>
                <Icon name={item.icon} />
                <span>{item.label()}</span>
              </Link>
            </li>
          ))}
        </ul>
        <div class="sidenav-foot" onClick={(e) => e.stopPropagation()}>
          <ThemeSelect label={t('theme')} names={{ system: t('themeSystem'), light: t('themeLight'), dark: t('themeDark') }} />
          <LanguageSelect label={t('language')} />
          <a class="btn btn-ghost" href="/files">
            <Icon name="back" />
            {t('backToDrive')}
          </a>
          <Button variant="ghost" onClick={() => void signOut()}>
            <Icon name="logout" />
            {t('signOut')}
          </Button>
        </div>
      </nav>
      <div class="scrim" aria-hidden="true" onClick={() => (menuOpen.value = false)} />
      <main id="main" class="content admin-content" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
