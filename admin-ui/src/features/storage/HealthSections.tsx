import { operations as ops, type DegradedBlock, type JobView, type NodeView } from '@coffer/protocol';
import { Button, toast } from '@coffer/web/ui';
import { call } from '../../api/client';
import { formatAgo, formatCount, formatSize } from '../../app/format';
import { t as tJob } from '../../app/job-messages';
import { JobProgress } from '../../app/JobProgress';
import { NotYet, Section } from '../../app/Page';
import { t } from './messages';

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

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
export function DegradedSection(props: { total: number; blocks: DegradedBlock[]; jobs: JobView[]; onChanged: () => void }) {
  const repair = props.jobs.find((j) => j.kind === 'repair' && (j.state === 'running' || j.state === 'queued'));
  return (
    <Section
      title={t('degraded')}
      id="degraded"
      actions={
        <Button onClick={() => void start('repair', t('repairQueued'), props.onChanged)} disabled={repair !== undefined}>
          {t('repairNow')}
        </Button>
      }
    >
      <p data-testid="degraded-count">{props.total === 0 ? t('degradedNone') : t('degradedCount', { n: formatCount(props.total) })}</p>
      {repair && <JobProgress job={repair} label={t('repairRunning')} />}
      {props.blocks.length > 0 && (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('key')}</th>
              <th scope="col">{t('reason')}</th>
              <th scope="col">{t('since')}</th>
              <th scope="col" class="num">
                {t('attempts')}
              </th>
            </tr>
          </thead>
          <tbody>
            {props.blocks.map((b) => (
              <tr key={b.key}>
                <td class="cell-main mono">{b.key.slice(0, 16)}…</td>
                <td data-label={t('reason')}>
                  {b.reason}
                  {b.lastError && <div class="error-text">{b.lastError}</div>}
                </td>
                <td data-label={t('since')}>{formatAgo(b.firstSeenAt)}</td>
                <td data-label={t('attempts')} class="num">
                  {b.repairAttempts}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** Scrub runs (from the job list) and a button to run one now. */
export function ScrubSection(props: { jobs: JobView[]; onChanged: () => void }) {
  const scrubs = props.jobs.filter((j) => j.kind === 'scrub').slice(0, 10);
  const active = scrubs.find((j) => j.state === 'running' || j.state === 'queued');
  return (
    <Section
      title={t('scrub')}
      id="scrub"
      actions={
        <Button onClick={() => void start('scrub', t('scrubQueued'), props.onChanged)} disabled={active !== undefined}>
          {t('scrubNow')}
        </Button>
      }
    >
      {active && <JobProgress job={active} label={t('scrub')} />}
      <h3 class="sub">{t('scrubHistory')}</h3>
      {scrubs.length === 0 ? (
        <p class="muted">{t('scrubNone')}</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('finished')}</th>
              <th scope="col">{t('state')}</th>
              <th scope="col" class="num">
                {t('scanned')}
              </th>
              <th scope="col" class="num">
                {t('damaged')}
              </th>
              <th scope="col" class="num">
                {t('repaired')}
              </th>
            </tr>
          </thead>
          <tbody>
            {scrubs.map((j) => (
              <tr key={j.id}>
                <td class="cell-main">{j.finishedAt ? formatAgo(j.finishedAt) : formatAgo(j.createdAt)}</td>
                <td data-label={t('state')}>{tJob(j.state)}</td>
                <td data-label={t('scanned')} class="num">
                  {formatCount(num(j.progress.scanned))}
                </td>
                <td data-label={t('damaged')} class="num">
                  {formatCount(num(j.progress.damaged))}
                </td>
                <td data-label={t('repaired')} class="num">
                  {formatCount(num(j.progress.repaired))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 class="sub">{t('schedule')}</h3>
      <NotYet />
    </Section>
  );
}

/** The cold tier: its nodes and what tiering moved. */
export function ColdTierSection(props: { nodes: NodeView[]; jobs: JobView[]; onChanged: () => void }) {
  const cold = props.nodes.filter((n) => n.tier === 'cold' && n.state !== 'retired');
  const runs = props.jobs.filter((j) => j.kind === 'tiering').slice(0, 5);
  return (
    <Section
      title={t('coldTier')}
      id="cold"
      actions={
        cold.length > 0 && (
          <Button onClick={() => void start('tiering', t('tierQueued'), props.onChanged)}>{t('tierNow')}</Button>
        )
      }
    >
      <p>{cold.length === 0 ? t('coldNone') : t('coldNodes', { n: cold.length })}</p>
      {runs.length > 0 && (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('finished')}</th>
              <th scope="col">{t('state')}</th>
              <th scope="col" class="num">
                {t('moved')}
              </th>
              <th scope="col" class="num">
                {t('freed')}
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((j) => (
              <tr key={j.id}>
                <td class="cell-main">{formatAgo(j.finishedAt ?? j.createdAt)}</td>
                <td data-label={t('state')}>{tJob(j.state)}</td>
                <td data-label={t('moved')} class="num">
                  {formatCount(num(j.progress.moved))}
                </td>
                <td data-label={t('freed')} class="num">
                  {formatSize(num(j.progress.bytesFreed))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
