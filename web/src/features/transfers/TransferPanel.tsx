/**
 * The transfer panel: every upload with its progress, speed and time left, and its controls
 * (pause, resume, cancel; keep both or replace when the name is taken). A card at the bottom
 * right on wide screens, a bottom sheet on phones; collapsed, it shows the total only.
 */
import { signal } from '@preact/signals';
import { formatBytes } from '../../i18n/i18n';
import { Button, Icon, ProgressBar } from '../../ui/index';
import { t, timeLeft } from './messages';
import { cancel, clearFinished, keepBoth, panelOpen, pause, replace, resume, totals, transfers, type Transfer } from './transfers';

const collapsed = signal(false);

function Row(props: { item: Transfer }) {
  const x = props.item;
  const state = x.state.value;
  const done = state === 'done' ? x.size : x.done.value;
  const speed = x.speed.value;
  const detail =
    state === 'uploading'
      ? [t('of', { done: formatBytes(done), size: formatBytes(x.size) }), speed > 0 ? t('perSecond', { speed: formatBytes(speed) }) : '', timeLeft(x.meter.secondsLeft(x.size - done))]
          .filter(Boolean)
          .join(' · ')
      : state === 'failed'
        ? t('failed', { msg: x.error.value ?? '' })
        : state === 'done' && x.committedName.value && x.committedName.value !== x.name
          ? t('savedAs', { name: x.committedName.value })
          : t(state === 'cancelled' ? 'paused' : state);
  return (
    <li class={`transfer transfer-${state}`} data-state={state}>
      <Icon name={state === 'done' ? 'check' : 'file'} />
      <div class="transfer-main">
        <span class="transfer-name">{x.name}</span>
        <ProgressBar value={x.size > 0 ? done / x.size : state === 'done' ? 1 : 0} label={t('progressOf', { name: x.name })} />
        <span class="transfer-detail muted">{detail}</span>
        {state === 'conflict' && (
          <span class="transfer-conflict">
            <Button onClick={() => void keepBoth(x)}>{t('keepBoth')}</Button>
            <Button variant="primary" onClick={() => void replace(x)}>
              {t('replace')}
            </Button>
          </span>
        )}
      </div>
      <span class="transfer-actions">
        {(state === 'uploading' || state === 'queued') && (
          <Button variant="ghost" icon aria-label={t('pause', { name: x.name })} onClick={() => pause(x)}>
            <Icon name="pause" />
          </Button>
        )}
        {(state === 'paused' || state === 'failed') && (
          <Button variant="ghost" icon aria-label={t('resume', { name: x.name })} onClick={() => resume(x)}>
            <Icon name="play" />
          </Button>
        )}
        {state !== 'done' && (
          <Button variant="ghost" icon aria-label={t('cancel', { name: x.name })} onClick={() => cancel(x)}>
            <Icon name="close" />
          </Button>
        )}
      </span>
    </li>
  );
}

export function TransferPanel() {
  if (!panelOpen.value || transfers.value.length === 0) return null;
  const sum = totals.value;
  const allDone = sum.finished === sum.files;
  const head = allDone ? t('allDone') : t('summary', { done: sum.finished, files: sum.files });
  const detail = allDone
    ? ''
    : [t('of', { done: formatBytes(sum.done), size: formatBytes(sum.size) }), sum.speed > 0 ? t('perSecond', { speed: formatBytes(sum.speed) }) : '', timeLeft(sum.secondsLeft)].filter(Boolean).join(' · ');
  return (
    <section class={`transfer-panel${collapsed.value ? ' collapsed' : ''}`} aria-labelledby="transfer-title">
      <header class="transfer-head">
        <div class="transfer-sum">
          <h2 id="transfer-title">{head}</h2>
          <span class="muted" aria-live="polite">
            {detail}
          </span>
          <ProgressBar value={sum.size > 0 ? sum.done / sum.size : allDone ? 1 : 0} label={t('totalProgress')} />
        </div>
        <Button variant="ghost" icon aria-label={collapsed.value ? t('expand') : t('collapse')} aria-expanded={!collapsed.value} aria-controls="transfer-list" onClick={() => (collapsed.value = !collapsed.value)}>
          <Icon name={collapsed.value ? 'chevronUp' : 'chevronDown'} />
        </Button>
        {sum.finished > 0 && (
          <Button variant="ghost" icon aria-label={t('clear')} onClick={clearFinished}>
            <Icon name="close" />
          </Button>
        )}
      </header>
      {!collapsed.value && (
        <ul id="transfer-list" class="transfer-list" aria-label={t('panel')} tabIndex={0}>
          {transfers.value.map((x) => (
            <Row key={x.id} item={x} />
          ))}
        </ul>
      )}
    </section>
  );
}
