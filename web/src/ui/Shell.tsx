/**
 * The frame of every signed-in screen of the web app and the admin dashboard: a skip link, the top
 * bar with the menu button (shown on phones), the navigation (a drawer on phones, closed by the
 * scrim or by following a link), and the main content. Each app fills in its brand, the end of the
 * top bar, its navigation items and the drawer's foot.
 */
import { signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { Button } from './Button';
import { Icon } from './Icon';

const menuOpen = signal(false);

export interface ShellProps {
  labels: { skip: string; openMenu: string; closeMenu: string; navigation: string };
  /** The brand link at the start of the top bar. */
  brand: ComponentChildren;
  /** What follows the top bar's free space (user, notifications). */
  topbarEnd?: ComponentChildren;
  /** The navigation's `<li>` items. */
  nav: ComponentChildren;
  /** Below the navigation (settings, sign-out); clicks there keep the drawer open. */
  navFoot: ComponentChildren;
  mainClass?: string;
  /** After the main content (panels that float over it). */
  after?: ComponentChildren;
  children: ComponentChildren;
}

export function Shell(p: ShellProps) {
  return (
    <div class={`shell${menuOpen.value ? ' menu-open' : ''}`}>
      <a class="skip" href="#main">
        {p.labels.skip}
      </a>
      <header class="topbar">
        <Button variant="ghost" icon class="menu-btn" aria-label={menuOpen.value ? p.labels.closeMenu : p.labels.openMenu} aria-expanded={menuOpen.value} aria-controls="nav" onClick={() => (menuOpen.value = !menuOpen.value)}>
          <Icon name="menu" />
        </Button>
        {p.brand}
        <div class="topbar-slot" id="topbar-slot" />
        {p.topbarEnd}
      </header>
      <nav id="nav" class="sidenav" aria-label={p.labels.navigation} onClick={() => (menuOpen.value = false)}>
        <ul>{p.nav}</ul>
        <div class="sidenav-foot" onClick={(e) => e.stopPropagation()}>
          {p.navFoot}
        </div>
      </nav>
      <div class="scrim" aria-hidden="true" onClick={() => (menuOpen.value = false)} />
      <main id="main" class={p.mainClass ? `content ${p.mainClass}` : 'content'} tabIndex={-1}>
        {p.children}
      </main>
      {p.after}
    </div>
  );
}
