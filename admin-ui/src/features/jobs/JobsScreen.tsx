import { useState } from 'preact/hooks';
import { JOB_STATES, operations as ops, PLAIN_JOB_KINDS, type JobState, type JobView } from '@coffer/protocol';
import { SchedulesSection } from './SchedulesSection';
import { Button, toast } from '@coffer/web/ui';
import { call } from '@coffer/web/api';
import { formatAgo } from '../../app/format';
import { t as tJob } from '../../app/job-messages';
import { JobProgress } from '../../app/JobProgress';
import { t as tApp } from '../../app/messages';
import { Page, Section } from '../../app/Page';
import { usePoll } from '../../app/poll';
import { t } from './messages';

type PlainKind = (typeof PLAIN_JOB_KINDS)[number];

function JobRow(props: { job: JobView; onChanged: () => void }) {
  const j = props.job;
  const act = async (f: () => Promise<unknown>, done: string) => {
    try {
      await f();
      toast(done);
      props.onChanged();
    } catch (err) {
      toast((err as Error).message);
    }
  };
  const active = j.state === 'queued' || j.state === 'running';
  const node = typeof j.payload.nodeId === 'string' ? ` · ${j.payload.nodeId}` : '';
  return (
    <tr data-testid={`job-${j.id}`}>
      <td class="cell-main">
        {tJob(j.kind)}
        {node}
      </td>
      <td data-label={t('progress')} class="cell-wide">
        <JobProgress job={j} label={`${tJob(j.kind)}${node}`} />
        {j.lastError && <div class="error-text">{j.lastError}</div>}
      </td>
      <td data-label={t('attempts')} class="num">
        {j.attempts}/{j.maxAttempts}
      </td>
      <td data-label={t('created')}>{formatAgo(j.createdAt)}</td>
      <td>
        <div class="row-actions">
          {active && (
            <Button onClick={() => void act(() => call(ops.adminCancelJob, { params: { id: j.id } }), t('cancelled'))} aria-label={`${t('cancel')}: ${tJob(j.kind)}${node}`}>
              {t('cancel')}
            </Button>
          )}
          {(j.state === 'failed' || j.state === 'cancelled') && (
            <Button onClick={() => void act(() => call(ops.adminRetryJob, { params: { id: j.id } }), t('queuedOne'))} aria-label={`${t('again')}: ${tJob(j.kind)}${node}`}>
              {t('again')}
            </Button>
          )}
        </div>
      </td>
    </tr>
  );
}

/** The job queue: filter by state, cancel, retry, start one; the schedules. */
export function JobsScreen() {
  const [state, setState] = useState<JobState | ''>('');
  const [jobs, setJobs] = useState<JobView[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const refresh = usePoll(async () => {
    try {
      const list = await call(ops.adminListJobs, { query: { limit: 100, state: state || undefined } });
      setJobs(list.jobs);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, 3000);
  const start = async (kind: PlainKind) => {
    try {
      await call(ops.adminStartJob, { body: { kind } });
      toast(t('queuedOne'));
      await refresh();
    } catch (err) {
      toast((err as Error).message);
    }
  };
  return (
    <Page title={tApp('jobs')} error={error}>
      <Section title={t('start')}>
        <div class="row-actions" style={{ justifyContent: 'flex-start' }}>
          {PLAIN_JOB_KINDS.map((k) => (
            <Button key={k} onClick={() => void start(k)}>
              {tJob(k)}
            </Button>
          ))}
        </div>
      </Section>
      <Section
        title={t('queue')}
        actions={
          <label class="inline-select">
            <span>{t('filter')}</span>
            <select
              class="input"
              value={state}
              onChange={(e) => {
                setState(e.currentTarget.value as JobState | '');
                setJobs(undefined);
                setTimeout(() => void refresh(), 0);
              }}
            >
              <option value="">{t('all')}</option>
              {JOB_STATES.map((s) => (
                <option key={s} value={s}>
                  {tJob(s)}
                </option>
              ))}
            </select>
          </label>
        }
      >
        {jobs === undefined ? (
          !error && <div class="spinner" role="status" aria-label={tApp('loading')} />
        ) : jobs.length === 0 ? (
          <p class="muted">{t('none')}</p>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('kind')}</th>
                <th scope="col">{t('progress')}</th>
                <th scope="col" class="num">
                  {t('attempts')}
                </th>
                <th scope="col">{t('created')}</th>
                <th scope="col">
                  <span class="sr-only">{t('actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <JobRow key={j.id} job={j} onChanged={() => void refresh()} />
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <SchedulesSection />
    </Page>
  );
}
