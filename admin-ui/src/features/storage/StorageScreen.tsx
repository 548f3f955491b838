import { useState } from 'preact/hooks';
import { operations as ops, type AdminJournal, type DegradedBlock, type JobView, type StorageReport } from '@coffer/protocol';
import { call } from '@coffer/web/api';
import { t as tApp } from '../../app/messages';
import { Page } from '../../app/Page';
import { usePoll } from '../../app/poll';
import { ColdTierSection, DegradedSection, ScrubSection } from './HealthSections';
import { JournalSection } from './JournalSection';
import { NodesSection } from './NodesSection';

interface StorageData {
  report: StorageReport;
  degraded: DegradedBlock[];
  /** The repair and scrub under way, for their progress bars. */
  repair: JobView | undefined;
  scrub: JobView | undefined;
  journal: AdminJournal;
}

const active = (jobs: JobView[]) => jobs.find((j) => j.state === 'running' || j.state === 'queued');

/** Every node with its state, use, shards and latency; drains and rebalances; degraded blocks and repair; scrubs; the cold tier; the change journal. */
export function StorageScreen() {
  const [data, setData] = useState<StorageData | undefined>();
  const [error, setError] = useState<string | undefined>();
  const refresh = usePoll(async () => {
    try {
      const [report, degraded, repairs, scrubs, journal] = await Promise.all([
        call(ops.adminStorageReport),
        call(ops.adminListDegradedBlocks, { query: { limit: 20 } }),
        call(ops.adminListJobs, { query: { kind: 'repair', limit: 5 } }),
        call(ops.adminListJobs, { query: { kind: 'scrub', limit: 5 } }),
        call(ops.adminJournal),
      ]);
      setData({ report, degraded: degraded.blocks, repair: active(repairs.jobs), scrub: active(scrubs.jobs), journal });
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, 3000);
  const changed = () => void refresh();
  return (
    <Page title={tApp('storage')} error={error}>
      {data === undefined ? (
        !error && <div class="spinner" role="status" aria-label={tApp('loading')} />
      ) : (
        <>
          <NodesSection nodes={data.report.nodes} tasks={data.report.tasks} onChanged={changed} />
          <DegradedSection repair={data.report.repair} blocks={data.degraded} job={data.repair} onChanged={changed} />
          <div class="grid-2">
            <ScrubSection scrub={data.report.scrub} job={data.scrub} onChanged={changed} />
            <ColdTierSection tiering={data.report.tiering} onChanged={changed} />
          </div>
          <JournalSection journal={data.journal} />
        </>
      )}
    </Page>
  );
}
