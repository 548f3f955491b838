import { useState } from 'preact/hooks';
import { operations as ops } from '@coffer/protocol';
import { Button, ProgressBar, toast } from '@coffer/web/ui';
import { call } from '../../api/client';
import { formatAgo, formatCount, formatPercent, formatSize } from '../../app/format';
import { t as tApp } from '../../app/messages';
import { NotYet, Page, Section } from '../../app/Page';
import { usePoll } from '../../app/poll';
import { loadOverview, type OverviewData } from './overview-data';
import { t } from './messages';

/** How often the overview asks again: "live-ish" without loading the server. */
export const OVERVIEW_POLL_MS = 3000;

function SafetyBanner(props: { o: OverviewData; onRepair: () => void }) {
  const { o } = props;
  const [title, detail] =
    o.safety === 'safe'
      ? [t('safe'), t('safeDetail')]
      : o.safety === 'repairing'
        ? [t('repairing'), t('repairingDetail', { blocks: formatCount(o.blocks.degraded) })]
        : o.safety === 'at_risk'
          ? [t('atRisk'), t('atRiskDetail')]
          : [t('degraded'), t('degradedDetail', { blocks: formatCount(o.blocks.degraded), down: o.nodes.down, total: o.nodes.total })];
  return (
    <div class="safety" data-state={o.safety} role="status" aria-live="polite" data-testid="safety">
      <span class="safety-dot" aria-hidden="true" />
      <div style={{ flex: 1, minWidth: 0 }}>
        <strong>{title}</strong>
        <span class="muted">{detail}</span>
        {o.repair && (
          <div class="bar-line">
            <div class="bar-line-head">
              <span>{t('repairProgress')}</span>
              <span>{formatPercent(o.repair.fraction)}</span>
            </div>
            <ProgressBar value={o.repair.fraction} label={t('repairProgress')} />
          </div>
        )}
      </div>
      {o.blocks.degraded > 0 && !o.repair && o.nodes.down === 0 && (
        <Button variant="primary" onClick={props.onRepair}>
          {t('repairNow')}
        </Button>
      )}
    </div>
  );
}

function Health(props: { o: OverviewData }) {
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
          <dt>{t('degradedBlocks')}</dt>
          <dd>
            {formatCount(o.blocks.degraded)}
            {o.blocks.repairing > 0 && <small>{t('beingRepaired')}</small>}
          </dd>
        </div>
        <div class="stat">
          <dt>{t('lastScrub')}</dt>
          <dd>
            {scrub === null ? (
              t('never')
            ) : scrub.state === 'running' ? (
              <small>{t('scrubRunning', { scanned: formatCount(scrub.scanned), total: scrub.total === null ? '?' : formatCount(scrub.total) })}</small>
            ) : (
              <>
                {scrub.finishedAt ? formatAgo(scrub.finishedAt) : scrub.state}
                <small>{t('scrubFound', { damaged: scrub.damaged, repaired: scrub.repaired })}</small>
              </>
            )}
          </dd>
        </div>
        <div class="stat">
          <dt>{t('failingJobs')}</dt>
          <dd>
            {formatCount(o.failedJobs)}
            <small>{t('failingDetail')}</small>
          </dd>
        </div>
      </dl>
    </Section>
  );
}

function Storage(props: { o: OverviewData }) {
  return (
    <Section title={t('storageUsed')}>
      <dl class="stats">
        <div class="stat">
          <dt>{t('logical')}</dt>
          <dd>
            {formatSize(props.o.storage.logicalBytes)}
            <small>{t('users', { n: props.o.users })}</small>
          </dd>
        </div>
      </dl>
      <NotYet what={`${t('afterDedup')}, ${t('afterCompression')}, ${t('afterErasure')}`} />
    </Section>
  );
}

export function OverviewScreen() {
  const [o, setO] = useState<OverviewData | undefined>();
  const [error, setError] = useState<string | undefined>();
  const refresh = usePoll(async () => {
    try {
      setO(await loadOverview());
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, OVERVIEW_POLL_MS);
  const repair = async () => {
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
          <SafetyBanner o={o} onRepair={() => void repair()} />
          <Health o={o} />
          <Storage o={o} />
          <Section title={t('usageOverTime')}>
            <NotYet />
          </Section>
        </>
      )}
      <p class="muted">{t('liveNote')}</p>
    </Page>
  );
}
