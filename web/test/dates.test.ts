/**
 * i18n.ts writes dates by hand (Intl's first DateTimeFormat costs the first paint 20–70 ms); this
 * holds its output to Intl's medium date and short time, in English and Korean, for every hour of
 * a day, every month, both ends of a year, and a date it cannot read.
 */
import { describe, expect, it } from 'vitest';
import { formatDate, lang } from '../src/i18n/i18n.js';

function moments(): Date[] {
  const out: Date[] = [];
  for (let h = 0; h < 24; h++) out.push(new Date(2026, 11, 3, h, h === 0 ? 5 : 59 - h));
  for (let m = 0; m < 12; m++) out.push(new Date(2025, m, 1 + m * 2, 9, 7));
  out.push(new Date(1999, 11, 31, 23, 59), new Date(2000, 0, 1, 0, 0), new Date(2038, 0, 19, 12, 0), new Date(1970, 0, 1, 0, 0));
  return out;
}

describe('formatDate', () => {
  for (const l of ['en', 'ko'] as const) {
    it(`writes ${l} as Intl does`, () => {
      const intl = new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'short' });
      lang.value = l;
      for (const d of moments()) expect(formatDate(d.toISOString())).toBe(intl.format(d));
    });
  }

  it('writes nothing for a date it cannot read', () => {
    expect(formatDate('not a date')).toBe('');
  });
});
