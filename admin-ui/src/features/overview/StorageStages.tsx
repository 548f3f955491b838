import type { AdminOverview } from '@coffer/protocol';
import { formatCount, formatPercent, formatSize } from '../../app/format';
import { Section } from '../../app/Page';
import { t } from './messages';

/**
 * Storage at each stage of the pipeline — what users stored, after dedup, after compression, on
 * the nodes after erasure coding — each with its bar (relative to the largest) and what the stage
 * saved (or, for redundancy, cost).
 */
/** What a stage saved of what came in; a stage can add a little (compression's framing on random data). */
function saving(bytes: number, of: number): string {
  if (bytes === 0) return t('savedNothing');
  if (bytes < 0) return t('nothingSaved', { bytes: formatSize(-bytes) });
  return t('saved', { bytes: formatSize(bytes), share: formatPercent(of > 0 ? bytes / of : 0) });
}

export function StorageStages(props: { o: AdminOverview }) {
  const s = props.o.storage;
  const stages = [
    { label: t('logical'), bytes: s.logicalBytes, note: '' },
    { label: t('afterDedup'), bytes: s.dedupBytes, note: saving(s.savings.dedupBytes, s.logicalBytes) },
    { label: t('afterCompression'), bytes: s.compressedBytes, note: saving(s.savings.compressionBytes, s.dedupBytes) },
    { label: t('afterErasure'), bytes: s.storedBytes, note: t('costs', { bytes: formatSize(-s.savings.redundancyBytes) }) },
  ];
  const max = Math.max(1, ...stages.map((x) => x.bytes));
  return (
    <Section title={t('storageUsed')}>
      <ul class="stages">
        {stages.map((x, i) => (
          <li key={x.label}>
            <div class="bar-line-head">
              <span>{x.label}</span>
              <strong>{formatSize(x.bytes)}</strong>
            </div>
            <div class={i === stages.length - 1 ? 'stage-bar stored' : 'stage-bar'} style={{ width: `${(x.bytes / max) * 100}%` }} aria-hidden="true" />
            {x.note && <span class="muted stage-note">{x.note}</span>}
          </li>
        ))}
      </ul>
      {s.tiers.length > 0 && (
        <>
          <h3 class="sub">{t('perTier')}</h3>
          <ul class="tier-list">
            {s.tiers.map((tier) => (
              <li key={tier.tier}>{t('tier', { tier: tier.tier === 'hot' ? t('hot') : t('cold'), bytes: formatSize(tier.storedBytes), blocks: formatCount(tier.blocks) })}</li>
            ))}
          </ul>
        </>
      )}
      <p class="muted">{t('users', { n: props.o.users.total, disabled: props.o.users.disabled })}</p>
    </Section>
  );
}
