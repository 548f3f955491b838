import type { ComponentChildren } from 'preact';
import { Bell } from '../live/Bell';
import { me, signOut } from '../session/session';
import { Button, Icon, Shell, type IconName } from '../ui/index';
import { LanguageSwitch } from './LanguageSwitch';
import { Link } from './Link';
import { QuotaBar } from './QuotaBar';
import { location } from './router';
import { t } from './messages';
import { ThemeSwitch } from './ThemeSwitch';
import { TransferPanel } from '../features/transfers/index';

interface NavItem {
  href: string;
  icon: IconName;
  label: () => string;
  /** Also current for these URL prefixes. */
  prefix: string;
}

const NAV: NavItem[] = [
  { href: '/files', icon: 'folder', label: () => t('files'), prefix: '/files' },
  { href: '/recent', icon: 'clock', label: () => t('recent'), prefix: '/recent' },
  { href: '/starred', icon: 'star', label: () => t('starred'), prefix: '/starred' },
  { href: '/shared', icon: 'people', label: () => t('shared'), prefix: '/shared' },
  { href: '/trash', icon: 'trash', label: () => t('trash'), prefix: '/trash' },
];

function current(item: NavItem): boolean {
  const p = location.value.path;
  return p === item.prefix || p.startsWith(item.prefix + '/') || (item.prefix === '/files' && p === '/');
}

/** The frame of every signed-in screen: a top bar, the navigation (a drawer on phones), the content. */
export function Layout(props: { children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <Shell
      labels={{ skip: t('skip'), openMenu: t('openMenu'), closeMenu: t('closeMenu'), navigation: t('navigation') }}
      brand={
        <Link href="/files" class="brand">
          Coffer
        </Link>
      }
      topbarEnd={
        <>
          <Bell />
          <Link href="/account" class="btn btn-ghost btn-icon" aria-label={`${t('account')}: ${me.value?.username ?? ''}`}>
            <Icon name="user" />
          </Link>
        </>
      }
      nav={NAV.map((item) => (
        <li key={item.href}>
          <Link href={item.href} class="navlink" aria-current={current(item) ? 'page' : undefined}>
            <Icon name={item.icon} />
            <span>{item.label()}</span>
          </Link>
        </li>
      ))}
      navFoot={
        <>
          <QuotaBar />
          <ThemeSwitch />
          <LanguageSwitch />
          <Button variant="ghost" onClick={() => void signOut()}>
            <Icon name="logout" />
            {t('signOut')}
          </Button>
        </>
      }
      after={<TransferPanel />}
    >
      {props.children}
    </Shell>
  );
}
