import type { JobView } from '@coffer/protocol';
import { ProgressBar } from '@coffer/web/ui';
import { formatDuration, formatPercent } from './format';
import { fractionOf, timeLeftOf } from './job-progress';
import { t } from './job-messages';

/** A job's bar, its share done and the time left (when it can be told). */
export function JobProgress(props: { job: JobView; label: string }) {
  const frac = fractionOf(props.job);
  const left = timeLeftOf(props.job);
  if (frac === undefined)
    return (
      <span class="muted">
        {props.label} · {t(props.job.state)}
      </span>
    );
  return (
    <div class="bar-line job-progress">
      <div class="bar-line-head">
        <span>
          {t(props.job.state)} · {formatPercent(frac)}
        </span>
        {left !== undefined && <span class="muted">{t('left', { time: formatDuration(left) })}</span>}
      </div>
      <ProgressBar value={frac} label={props.label} />
    </div>
  );
}
