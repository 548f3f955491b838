import { useState } from 'preact/hooks';
import { operations as ops, USAGE_RANGES, type UsageRange, type UsageSeries } from '@coffer/protocol';
import { lang } from '@coffer/web/i18n';
import { call } from '@coffer/web/api';
import { formatSize } from '../../app/format';
import { Section } from '../../app/Page';
import { usePoll } from '../../app/poll';
import { LineChart } from './LineChart';
import { t } from './messages';

function timeFormat(range: UsageRange): (iso: string) => string {
  const f = new Intl.DateTimeFormat(lang.value, range === '1h' || range === '24h' ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric' });
  return (iso) => f.format(new Date(iso));
}

/** Usage and traffic over a chosen range, from the server's usage sampler (asked again every minute). */
export function UsageCharts() {
  const [range, setRange] = useState<UsageRange>('24h');
  const [series, setSeries] = useState<UsageSeries | undefined>();
  const [error, setError] = useState('');
  const refresh = usePoll(async () => {
    try {
      setSeries(await call(ops.adminUsageSeries, { query: { range } }));
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, 60_000);
  const points = series?.range === range ? series.points : [];
  const times = points.map((p) => p.at);
  const fmt = timeFormat(range);
  return (
    <Section
      title={t('overTime')}
      actions={
        <label class="inline-select">
          <span>{t('range')}</span>
          <select
            class="input"
            value={range}
            onChange={(e) => {
              setRange(e.currentTarget.value as UsageRange);
              setTimeout(() => void refresh(), 0);
            }}
          >
            {USAGE_RANGES.map((r) => (
              <option key={r} value={r}>
                {t(`range_${r}`)}
              </option>
            ))}
          </select>
        </label>
      }
    >
      {error && <p class="error-text">{error}</p>}
      {points.length < 2 ? (
        <p class="muted">{t('noPoints')}</p>
      ) : (
        <div class="grid-2">
          <div>
            <h3 class="sub">{t('usageOverTime')}</h3>
            <LineChart
              title={t('usageOverTime')}
              times={times}
              format={formatSize}
              formatTime={fmt}
              series={[
                { label: t('logical'), values: points.map((p) => p.logicalBytes) },
                { label: t('afterErasure'), values: points.map((p) => p.storedBytes) },
              ]}
            />
          </div>
          <div>
            <h3 class="sub">{t('trafficOverTime')}</h3>
            <LineChart
              title={t('trafficOverTime')}
              times={times}
              format={formatSize}
              formatTime={fmt}
              series={[
                { label: t('bytesIn'), values: points.map((p) => p.bytesIn) },
                { label: t('bytesOut'), values: points.map((p) => p.bytesOut) },
              ]}
            />
          </div>
        </div>
      )}
    </Section>
  );
}
