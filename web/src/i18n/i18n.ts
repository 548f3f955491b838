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

/**
 * A number with at most `digits` decimals and thousands grouped, as English and Korean both write
 * it (1,234.5). Not Intl.NumberFormat: the first one a page makes costs 20–60 ms (the browser
 * loads its number data), paid before the files screen's first paint, for output these two
 * languages share. A language that writes numbers otherwise needs Intl here.
 */
function decimal(v: number, digits: 0 | 1): string {
  const rounded = digits === 1 ? Math.round(v * 10) / 10 : Math.round(v);
  return String(rounded).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
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
  return `${decimal(v, v < 10 && u > 0 ? 1 : 0)} ${units[u]}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A date and time in local time, as Intl.DateTimeFormat's medium date and short time write it in
 * English ("Dec 3, 2026, 10:40 PM") and Korean ("2026. 12. 3. 오후 10:40"); web/test/dates.test.ts
 * holds it to Intl's output. Not Intl: the first DateTimeFormat a page makes costs 20–70 ms (the
 * browser loads its calendar data), paid before the files screen's first paint, which shows a date
 * on every row. A language added later formats with Intl here.
 */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const h = d.getHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const time = `${h12}:${String(d.getMinutes()).padStart(2, '0')}`;
  if (lang.value === 'ko') return `${d.getFullYear()}. ${d.getMonth() + 1}. ${d.getDate()}. ${h < 12 ? '오전' : '오후'} ${time}`;
  return `${MONTHS[d.getMonth()]} ${d.getDate()}, ${d.getFullYear()}, ${time} ${h < 12 ? 'AM' : 'PM'}`;
}
