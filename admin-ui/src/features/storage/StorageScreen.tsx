import { useState } from 'preact/hooks';
import { operations as ops, type DegradedBlock, type JobView, type NodeView } from '@coffer/protocol';
import { call } from '../../api/client';
import { t as tApp } from '../../app/messages';
import { Page } from '../../app/Page';
import { usePoll } from '../../app/poll';
import { ColdTierSection, DegradedSection, ScrubSection } from './HealthSections';
import { NodesSection } from './NodesSection';

interface StorageData {
  nodes: NodeView[];
  jobs: JobView[];
  degraded: { total: number; blocks: DegradedBlock[] };
}

/** Every node with its state, use and running jobs; degraded blocks and repair; scrubs; the cold tier. */
export function StorageScreen() {
  const [data, setData] = useState<StorageData | undefined>();
  const [error, setError] = useState<string | undefined>();
  const refresh = usePoll(async () => {
    try {
      const [nodes, jobs, degraded] = await Promise.all([call(ops.adminListNodes), call(ops.adminListJobs, { query: { limit: 200 } }), call(ops.adminListDegradedBlocks, { query: { limit: 20 } })]);
      setData({ nodes: nodes.nodes, jobs: jobs.jobs, degraded });
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
          <NodesSection nodes={data.nodes} jobs={data.jobs} onChanged={changed} />
          <DegradedSection total={data.degraded.total} blocks={data.degraded.blocks} jobs={data.jobs} onChanged={changed} />
          <div class="grid-2">
            <ScrubSection jobs={data.jobs} onChanged={changed} />
            <ColdTierSection nodes={data.nodes} jobs={data.jobs} onChanged={changed} />
          </div>
        </>
      )}
    </Page>
  );
}
