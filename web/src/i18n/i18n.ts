/**
 * English and Korean. Each feature keeps its own strings beside it (`messages.ts`: one object per
 * language, Korean typed to have exactly English's keys), so features never edit a shared file.
 * `lang` is a signal: switching re-renders every text.
 */
import { signal } from '@preact/signals';

export const LANGS = ['en', 'ko'] as const;
export type Lang = (typeof LANGS)[number];

const STORAGE_KEY = 'coffer.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'ko') return saved;
  } catch {
    // storage blocked: fall through to the browser's language
  }
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

export const lang = signal<Lang>(initialLang());

export function setLang(l: Lang): void {
  lang.value = l;
  document.documentElement.lang = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // not saved; still switched
  }
}

type Vars = Record<string, string | number>;
type Catalog = Record<string, string>;

/**
 * A feature's translator: `t('key', { n: 3 })` fills `{n}`. Korean must have every English key
 * (a missing one is a type error), so no screen is half translated.
 */
export function messages<E extends Catalog>(en: E, ko: { [K in keyof E]: string }): (key: keyof E & string, vars?: Vars) => string {
  return (key, vars) => {
    const text = (lang.value === 'ko' ? ko[key] : en[key]) ?? String(key);
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  };
}

/** Byte counts as people read them (1.5 MB), in the current language's number format. */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${new Intl.NumberFormat(lang.value, { maximumFractionDigits: v < 10 && u > 0 ? 1 : 0 }).format(v)} ${units[u]}`;
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(lang.value, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}
