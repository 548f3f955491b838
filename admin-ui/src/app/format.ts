/** Sizes, counts, durations and moments as operators read them, in the dashboard's language. */
import { lang } from '@coffer/web/i18n';

/** 45 s, 3 min, 2 h 5 min, 3 d. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const ko = lang.value === 'ko';
  if (s < 60) return ko ? `${s}초` : `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return ko ? `${m}분` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48 && m % 60 === 0) return ko ? `${h}시간` : `${h} h`;
  if (h < 48) return ko ? `${h}시간 ${m % 60}분` : `${h} h ${m % 60} min`;
  const d = Math.round(h / 24);
  return ko ? `${d}일` : `${d} d`;
}

/** "3 minutes ago", "in 2 hours". */
export function formatAgo(iso: string, now = Date.now()): string {
  const diff = new Date(iso).getTime() - now;
  const rtf = new Intl.RelativeTimeFormat(lang.value, { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60_000) return rtf.format(Math.round(diff / 1000), 'second');
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}

export function formatPercent(fraction: number): string {
  return new Intl.NumberFormat(lang.value, { style: 'percent', maximumFractionDigits: fraction > 0 && fraction < 0.1 ? 1 : 0 }).format(fraction);
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat(lang.value).format(n);
}

/** Sizes in binary units (1 GiB = 1024³ bytes), as quotas and disks are set. */
export function formatSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${new Intl.NumberFormat(lang.value, { maximumFractionDigits: Math.abs(v) < 10 && u > 0 ? 1 : 0 }).format(v)} ${units[u]}`;
}
