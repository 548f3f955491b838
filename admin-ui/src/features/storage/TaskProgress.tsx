import type { NodeTask } from '@coffer/protocol';
import { ProgressBar } from '@coffer/web/ui';
import { formatCount, formatDuration, formatPercent, formatSize } from '../../app/format';
import { t as tJob } from '../../app/job-messages';
import { t } from './messages';

/** How far a drain (to empty) or a rebalance got: a bar, shards left or moved, time left. */
export function TaskProgress(props: { task: NodeTask }) {
  const k = props.task;
  const total = k.shardsLeft === null ? null : k.movedShards + k.shardsLeft;
  const frac = k.state === 'done' ? 1 : total ? k.movedShards / total : k.shardsLeft === 0 ? 1 : undefined;
  const label = t('progressOf', { job: tJob(k.kind), name: k.nodeId });
  return (
    <div class="node-job" data-testid={`task-${k.nodeId}`}>
      <div class="bar-line-head">
        <span>
          {tJob(k.kind)} · {tJob(k.state)}
          {frac !== undefined && ` · ${formatPercent(frac)}`}
        </span>
        {k.secondsLeft !== null && (k.state === 'running' || k.state === 'queued') && <span class="muted">{tJob('left', { time: formatDuration(k.secondsLeft * 1000) })}</span>}
      </div>
      {frac !== undefined && <ProgressBar value={frac} label={label} />}
      <span class="muted">
        {k.kind === 'drain' && k.shardsLeft !== null
          ? k.shardsLeft === 0
            ? t('empty')
            : t('toEmpty', { n: formatCount(k.shardsLeft), bytes: k.bytesLeft === null ? '' : formatSize(k.bytesLeft) })
          : t('movedShards', { n: formatCount(k.movedShards), bytes: formatSize(k.movedBytes) })}
      </span>
      {k.lastError && k.state === 'failed' && <span class="error-text">{k.lastError}</span>}
    </div>
  );
}
