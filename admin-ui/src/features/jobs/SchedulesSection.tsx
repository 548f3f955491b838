import { useState } from 'preact/hooks';
import { operations as ops, type JobKind } from '@coffer/protocol';
import { call } from '@coffer/web/api';
import { formatAgo, formatDuration } from '../../app/format';
import { t as tJob } from '../../app/job-messages';
import { Section } from '../../app/Page';
import { usePoll } from '../../app/poll';
import { t } from './messages';

type Schedules = Awaited<ReturnType<typeof call<typeof ops.adminJobSchedules>>>['schedules'];

/** The recurring jobs: how often, when next, how the last run went. */
export function SchedulesSection() {
  const [schedules, setSchedules] = useState<Schedules | undefined>();
  const [error, setError] = useState('');
  usePoll(async () => {
    try {
      setSchedules((await call(ops.adminJobSchedules)).schedules);
    } catch (err) {
      setError((err as Error).message);
    }
  }, 30_000);
  return (
    <Section title={t('schedules')}>
      {error && <p class="error-text">{error}</p>}
      {schedules && (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('every')}</th>
              <th scope="col">{t('next')}</th>
              <th scope="col">{t('lastRun')}</th>
            </tr>
          </thead>
          <tbody>
            {schedules.map((s) => (
              <tr key={s.kind}>
                <td class="cell-main">{tJob(s.kind as JobKind)}</td>
                <td data-label={t('every')}>{formatDuration(s.everySeconds * 1000)}</td>
                <td data-label={t('next')}>{formatAgo(s.nextRunAt)}</td>
                <td data-label={t('lastRun')}>{s.lastRun ? `${tJob(s.lastRun.state)} · ${formatAgo(s.lastRun.at)}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
