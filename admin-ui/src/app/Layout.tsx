import type { ComponentChildren } from 'preact';
import { Button, Icon, LanguageSelect, Shell, ThemeSelect, type IconName } from '@coffer/web/ui';
import { Link } from './Link';
import { t } from './messages';
import { location } from './router';
import { me, signOut } from './session';

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
    <Shell
      labels={{ skip: t('skip'), openMenu: t('openMenu'), closeMenu: t('closeMenu'), navigation: t('navigation') }}
      brand={
        <Link to="/" class="brand">
          Coffer <span class="brand-sub">admin</span>
        </Link>
      }
      topbarEnd={<span class="muted topbar-user">{me.value?.username}</span>}
      nav={NAV.map((item) => (
        <li key={item.to}>
          <Link to={item.to} class="navlink" aria-current={path === item.to ? 'page' : undefined}>
            <Icon name={item.icon} />
            <span>{item.label()}</span>
          </Link>
        </li>
      ))}
      navFoot={
        <>
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
        </>
      }
      mainClass="admin-content"
    >
      {props.children}
    </Shell>
  );
}
