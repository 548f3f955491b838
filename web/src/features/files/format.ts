/**
 * Dates and sizes for rows, with the Intl formatters made once per language: building an Intl
 * formatter costs far more than using one, and a scrolling list formats dozens a frame. (The same
 * output as i18n's formatDate and formatBytes.)
 */
import { lang } from '../../i18n/i18n';

let cached: { lang: string; date: Intl.DateTimeFormat; num0: Intl.NumberFormat; num1: Intl.NumberFormat } | undefined;

function formatters() {
  if (cached?.lang !== lang.value) {
    cached = {
      lang: lang.value,
      date: new Intl.DateTimeFormat(lang.value, { dateStyle: 'medium', timeStyle: 'short' }),
      num0: new Intl.NumberFormat(lang.value, { maximumFractionDigits: 0 }),
      num1: new Intl.NumberFormat(lang.value, { maximumFractionDigits: 1 }),
    };
  }
  return cached;
}

export function dateText(iso: string): string {
  return formatters().date.format(new Date(iso));
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function sizeText(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return `${(v < 10 && u > 0 ? formatters().num1 : formatters().num0).format(v)} ${UNITS[u]}`;
}
