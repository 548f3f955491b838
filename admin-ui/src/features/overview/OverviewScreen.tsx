import { useState } from 'preact/hooks';
import { operations as ops, type AdminOverview, type JobView } from '@coffer/protocol';
import { Button, ProgressBar, toast } from '@coffer/web/ui';
import { call } from '@coffer/web/api';
import { formatAgo, formatCount, formatPercent } from '../../app/format';
import { t as tApp } from '../../app/messages';
import { Page, Section } from '../../app/Page';
import { usePoll } from '../../app/poll';
import { t } from './messages';
import { StorageStages } from './StorageStages';
import { UsageCharts } from './UsageCharts';

/** How often the overview asks again: "live-ish" without loading the server. */
export const OVERVIEW_POLL_MS = 3000;

/** A queued or running repair: blocks repaired so far against those still degraded. */
function RepairProgress(props: { job: JobView; degraded: number }) {
  const repaired = typeof props.job.progress.repaired === 'number' ? props.job.progress.repaired : 0;
  const frac = repaired + props.degraded > 0 ? repaired / (repaired + props.degraded) : 0;
  return (
    <div class="bar-line">
      <div class="bar-line-head">
        <span>
          {t('repairProgress')} · {formatPercent(frac)}
        </span>
        <span class="muted">{t('repairCounts', { repaired: formatCount(repaired), left: formatCount(props.degraded) })}</span>
      </div>
      <ProgressBar value={frac} label={t('repairProgress')} />
    </div>
  );
}

function SafetyBanner(props: { o: AdminOverview; repair: JobView | undefined; onRepair: () => void }) {
  const { o } = props;
  // A repair queued but not yet picked up is already under way for the operator (the server counts a running one only).
  const safety = o.safety === 'degraded' && props.repair && o.nodes.down === 0 ? 'repairing' : o.safety;
  const [title, detail] =
    safety === 'safe'
      ? [t('safe'), t('safeDetail')]
      : safety === 'repairing'
        ? [t('repairing'), t('repairingDetail', { blocks: formatCount(o.blocks.degraded) })]
        : safety === 'at_risk'
          ? [t('atRisk'), t('atRiskDetail')]
          : [t('degraded'), t('degradedDetail', { blocks: formatCount(o.blocks.degraded), down: o.nodes.down, total: o.nodes.total })];
  return (
    <div class="safety" data-state={safety} role="status" aria-live="polite" data-testid="safety">
      <span class="safety-dot" aria-hidden="true" />
      <div class="safety-text">
        <strong>{title}</strong>
        <span class="muted">{detail}</span>
        {props.repair && <RepairProgress job={props.repair} degraded={o.blocks.degraded} />}
      </div>
      {o.blocks.degraded > 0 && !props.repair && o.nodes.down === 0 && (
        <Button variant="primary" onClick={props.onRepair}>
          {t('repairNow')}
        </Button>
      )}
    </div>
  );
}

function Health(props: { o: AdminOverview }) {
  const { o } = props;
  const scrub = o.lastScrub;
  return (
    <Section title={t('health')}>
      <dl class="stats">
        <div class="stat">
          <dt>{t('nodes')}</dt>
          <dd>
            {t('nodesOf', { up: o.nodes.up, total: o.nodes.total })}
            {o.nodes.draining > 0 && <small>{t('draining', { n: o.nodes.draining })}</small>}
          </dd>
        </div>
        <div class="stat">
          <dt>{t('blocks')}</dt>
          <dd>
            {formatCount(o.blocks.redundant)}
            <small>
              {t('redundantOf', { total: formatCount(o.blocks.total) })}
              {o.blocks.degraded > 0 && ` · ${t('degradedN', { n: formatCount(o.blocks.degraded) })}`}
              {o.blocks.repairing > 0 && ` · ${t('repairingN', { n: formatCount(o.blocks.repairing) })}`}
            </small>
          </dd>
        </div>
        <div class="stat">
          <dt>{t('lastScrub')}</dt>
          <dd>
            {scrub === null ? (
              t('never')
            ) : (
              <>
                {scrub.finishedAt ? formatAgo(scrub.finishedAt) : t('scrubRunning', { scanned: formatCount(scrub.scanned) })}
                <small>{t('scrubFound', { damaged: scrub.damaged, repaired: scrub.repaired, unrepaired: scrub.unrepaired })}</small>
              </>
            )}
          </dd>
        </div>
        <div class="stat">
          <dt>{t('failingJobs')}</dt>
          <dd>
            {formatCount(o.jobs.failedRecently)}
            <small>
              {t('failingDetail')} · {t('jobsActive', { running: o.jobs.running, queued: o.jobs.queued })}
            </small>
          </dd>
        </div>
      </dl>
    </Section>
  );
}

export function OverviewScreen() {
  const [o, setO] = useState<AdminOverview | undefined>();
  const [repair, setRepair] = useState<JobView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const refresh = usePoll(async () => {
    try {
      const [overview, repairs] = await Promise.all([call(ops.adminOverview), call(ops.adminListJobs, { query: { kind: 'repair', limit: 5 } })]);
      setO(overview);
      setRepair(repairs.jobs.find((j) => j.state === 'running' || j.state === 'queued'));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, OVERVIEW_POLL_MS);
  const startRepair = async () => {
    try {
      await call(ops.adminStartJob, { body: { kind: 'repair' } });
      toast(t('repairQueued'));
      await refresh();
    } catch (err) {
      toast((err as Error).message);
    }
  };
  return (
    <Page title={tApp('overview')} error={error}>
      {o === undefined ? (
        !error && <div class="spinner" role="status" aria-label={tApp('loading')} />
      ) : (
        <>
          <SafetyBanner o={o} repair={repair} onRepair={() => void startRepair()} />
          <Health o={o} />
          <StorageStages o={o} />
          <UsageCharts />
          <p class="muted">{t('liveNote', { time: formatAgo(o.at) })}</p>
        </>
      )}
    </Page>
  );
}
