/** Light, dark or the system's: kept in localStorage, applied as data-theme on <html>. */
import { signal } from '@preact/signals';

export type Theme = 'system' | 'light' | 'dark';
const KEY = 'coffer.theme';

function saved(): Theme {
  try {
    const t = localStorage.getItem(KEY);
    if (t === 'light' || t === 'dark') return t;
  } catch {
    // storage blocked
  }
  return 'system';
}

export const theme = signal<Theme>(saved());

export function applyTheme(t: Theme = theme.value): void {
  theme.value = t;
  if (t === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', t);
  try {
    if (t === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, t);
  } catch {
    // not saved
  }
}

/** The theme actually shown (system resolved). */
export function effectiveTheme(): 'light' | 'dark' {
  if (theme.value !== 'system') return theme.value;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
