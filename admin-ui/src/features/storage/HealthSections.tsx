import { operations as ops, type DegradedBlock, type JobView, type StorageReport } from '@coffer/protocol';
import { Button, toast } from '@coffer/web/ui';
import { call } from '@coffer/web/api';
import { formatAgo, formatCount, formatDuration, formatSize } from '../../app/format';
import { t as tJob } from '../../app/job-messages';
import { JobProgress } from '../../app/JobProgress';
import { DataTable } from '../../app/DataTable';
import { Section } from '../../app/Page';
import { t } from './messages';

async function start(kind: 'repair' | 'scrub' | 'tiering', done: string, onChanged: () => void): Promise<void> {
  try {
    await call(ops.adminStartJob, { body: { kind } });
    toast(done);
    onChanged();
  } catch (err) {
    toast((err as Error).message);
  }
}

/** Blocks below full redundancy, and the repair bringing them back. */
export function DegradedSection(props: { repair: StorageReport['repair']; blocks: DegradedBlock[]; job: JobView | undefined; onChanged: () => void }) {
  const r = props.repair;
  return (
    <Section
      title={t('degraded')}
      id="degraded"
      actions={
        <Button onClick={() => void start('repair', t('repairQueued'), props.onChanged)} disabled={props.job !== undefined}>
          {t('repairNow')}
        </Button>
      }
    >
      <p data-testid="degraded-count">{r.degraded === 0 ? t('degradedNone') : t('degradedCount', { n: formatCount(r.degraded) })}</p>
      {props.job && <JobProgress job={props.job} label={t('repairRunning')} />}
      {r.lastRunAt && <p class="muted">{t('lastRepair', { when: formatAgo(r.lastRunAt), n: formatCount(r.lastRepaired ?? 0) })}</p>}
      {props.blocks.length > 0 && (
        <DataTable
          rows={props.blocks}
          rowKey={(b) => b.key}
          columns={[
            { label: t('key'), class: 'mono', cell: (b) => `${b.key.slice(0, 16)}…` },
            {
              label: t('reason'),
              cell: (b) => (
                <>
                  {b.reason}
                  {b.lastError && <div class="error-text">{b.lastError}</div>}
                </>
              ),
            },
            { label: t('since'), cell: (b) => formatAgo(b.firstSeenAt) },
            { label: t('attempts'), num: true, cell: (b) => b.repairAttempts },
          ]}
        />
      )}
    </Section>
  );
}

/** Scrub: its schedule and pace, the running one, what recent runs found. */
export function ScrubSection(props: { scrub: StorageReport['scrub']; job: JobView | undefined; onChanged: () => void }) {
  const s = props.scrub;
  return (
    <Section
      title={t('scrub')}
      id="scrub"
      actions={
        <Button onClick={() => void start('scrub', t('scrubQueued'), props.onChanged)} disabled={props.job !== undefined}>
          {t('scrubNow')}
        </Button>
      }
    >
      <p>{t('scrubSchedule', { every: formatDuration(s.everySeconds * 1000), next: formatAgo(s.nextRunAt), pace: formatCount(s.blocksPerSecond) })}</p>
      {props.job && <JobProgress job={props.job} label={t('scrub')} />}
      <h3 class="sub">{t('scrubHistory')}</h3>
      {s.history.length === 0 ? (
        <p class="muted">{t('scrubNone')}</p>
      ) : (
        <DataTable
          rows={s.history.slice(0, 8)}
          rowKey={(h) => h.jobId}
          columns={[
            { label: t('finished'), cell: (h) => (h.finishedAt ? formatAgo(h.finishedAt) : '—') },
            { label: t('state'), cell: (h) => tJob(h.state as JobView['state']) },
            { label: t('scanned'), num: true, cell: (h) => formatCount(h.scanned) },
            {
              label: t('damaged'),
              num: true,
              cell: (h) => (
                <>
                  {formatCount(h.damaged)}
                  {h.unrepaired > 0 && <span class="badge badge-bad">{t('unrepairedN', { n: h.unrepaired })}</span>}
                </>
              ),
            },
            { label: t('repaired'), num: true, cell: (h) => formatCount(h.repaired) },
          ]}
        />
      )}
    </Section>
  );
}

/** The cold tier: whether there is one, when blocks move there, what moved. */
export function ColdTierSection(props: { tiering: StorageReport['tiering']; onChanged: () => void }) {
  const c = props.tiering;
  return (
    <Section
      title={t('coldTier')}
      id="cold"
      actions={c.enabled && <Button onClick={() => void start('tiering', t('tierQueued'), props.onChanged)}>{t('tierNow')}</Button>}
    >
      {c.enabled ? (
        <p>{t('coldRule', { days: c.afterDays, blocks: formatCount(c.coldBlocks), bytes: formatSize(c.coldBytes), next: formatAgo(c.nextRunAt) })}</p>
      ) : (
        <p>{t('coldNone')}</p>
      )}
      {c.history.length > 0 && (
        <DataTable
          rows={c.history.slice(0, 5)}
          rowKey={(h) => h.jobId}
          columns={[
            { label: t('finished'), cell: (h) => (h.finishedAt ? formatAgo(h.finishedAt) : '—') },
            { label: t('state'), cell: (h) => tJob(h.state) },
            { label: t('moved'), num: true, cell: (h) => formatCount(h.moved) },
            { label: t('freed'), num: true, cell: (h) => formatSize(h.bytesFreed) },
          ]}
        />
      )}
    </Section>
  );
}
