import { useState } from 'preact/hooks';
import { operations as ops, type NodeStats, type NodeTask, type NodeView } from '@coffer/protocol';
import { Button, Dialog, Icon, ProgressBar, toast } from '@coffer/web/ui';
import { call } from '@coffer/web/api';
import { formatAgo, formatCount, formatSize } from '../../app/format';
import { Section } from '../../app/Page';
import { AddNodeDialog } from './AddNodeDialog';
import { t } from './messages';
import { TaskProgress } from './TaskProgress';

const STATE_BADGE: Record<NodeView['state'], string> = { up: 'badge-ok', down: 'badge-bad', draining: 'badge-warn', retired: '' };

function Capacity(props: { node: NodeStats }) {
  const { usedBytes: used, capacityBytes: cap } = props.node;
  if (used === null || cap === null || cap === 0)
    return (
      <span>
        {t('shardBytes', { bytes: formatSize(props.node.shardBytes) })}
        <small class="muted block">{t('noCapacity')}</small>
      </span>
    );
  return (
    <div class="usage">
      <ProgressBar value={used / cap} label={`${t('use')}: ${props.node.id}`} />
      <span class="muted">{t('capacity', { used: formatSize(used), total: formatSize(cap) })}</span>
    </div>
  );
}

type Confirm = { kind: 'drain' | 'retire'; node: NodeView } | null;

/** The newest drain or rebalance of a node (the report lists active ones first). */
const taskOf = (node: NodeView, tasks: NodeTask[]) => tasks.find((k) => k.nodeId === node.id);

export function NodesSection(props: { nodes: NodeStats[]; tasks: NodeTask[]; onChanged: () => void }) {
  const [adding, setAdding] = useState(false);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const act = async (f: () => Promise<unknown>, done: string) => {
    try {
      await f();
      toast(done);
      props.onChanged();
    } catch (err) {
      toast((err as Error).message);
    }
  };
  const live = props.nodes.filter((n) => n.state !== 'retired');
  const retired = props.nodes.filter((n) => n.state === 'retired');
  return (
    <Section
      title={t('nodes')}
      id="nodes"
      actions={
        <Button onClick={() => setAdding(true)}>
          <Icon name="add" />
          {t('addNode')}
        </Button>
      }
    >
      <table class="table nodes-table">
        <thead>
          <tr>
            <th scope="col">{t('name')}</th>
            <th scope="col">{t('tier')}</th>
            <th scope="col">{t('state')}</th>
            <th scope="col">{t('use')}</th>
            <th scope="col" class="num">
              {t('shards')}
            </th>
            <th scope="col" class="num">
              {t('latency')}
            </th>
            <th scope="col">{t('lastSeen')}</th>
            <th scope="col">{t('actions')}</th>
          </tr>
        </thead>
        <tbody>
          {[...live, ...retired].map((n) => {
            const task = taskOf(n, props.tasks);
            return (
              <tr key={n.id} data-testid={`node-${n.id}`}>
                <td class="cell-main">
                  {n.id}
                  {n.endpoint && <div class="muted mono">{n.endpoint}</div>}
                </td>
                <td data-label={t('tier')}>{n.tier === 'hot' ? t('hot') : t('cold')}</td>
                <td data-label={t('state')}>
                  <span class={`badge ${STATE_BADGE[n.state]}`}>{t(n.state === 'retired' ? 'retired' : n.state)}</span>
                </td>
                <td data-label={t('use')} class="cell-wide">
                  {n.state !== 'retired' && <Capacity node={n} />}
                  {task && <TaskProgress task={task} />}
                </td>
                <td data-label={t('shards')} class="num">
                  {formatCount(n.shards)}
                </td>
                <td data-label={t('latency')} class="num">
                  {n.latencyMs === null ? '—' : t('ms', { ms: Math.round(n.latencyMs) })}
                </td>
                <td data-label={t('lastSeen')}>{n.lastSeenAt ? formatAgo(n.lastSeenAt) : t('never')}</td>
                <td class="cell-actions">
                  {n.state !== 'retired' && (
                    <div class="row-actions">
                      {n.state !== 'draining' && (
                        <Button onClick={() => setConfirm({ kind: 'drain', node: n })} aria-label={`${t('drain')} ${n.id}`}>
                          {t('drain')}
                        </Button>
                      )}
                      {n.state === 'draining' && (
                        <Button variant="danger" onClick={() => setConfirm({ kind: 'retire', node: n })} aria-label={`${t('retire')} ${n.id}`}>
                          {t('retire')}
                        </Button>
                      )}
                      <Button onClick={() => void act(() => call(ops.adminRebalanceNode, { params: { id: n.id } }), t('rebalanceQueued', { name: n.id }))} aria-label={`${t('rebalance')} ${n.id}`}>
                        {t('rebalance')}
                      </Button>
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {adding && (
        <AddNodeDialog
          onClose={() => setAdding(false)}
          onAdded={(name) => {
            setAdding(false);
            toast(t('added', { name }));
            props.onChanged();
          }}
        />
      )}
      {confirm && (
        <Dialog
          title={t(confirm.kind === 'drain' ? 'drainTitle' : 'retireTitle', { name: confirm.node.id })}
          onClose={() => setConfirm(null)}
          actions={
            <>
              <Button onClick={() => setConfirm(null)}>{t('cancel')}</Button>
              <Button
                variant={confirm.kind === 'retire' ? 'danger' : 'primary'}
                onClick={() => {
                  const { kind, node } = confirm;
                  setConfirm(null);
                  void (kind === 'drain'
                    ? act(() => call(ops.adminDrainNode, { params: { id: node.id } }), t('drainQueued', { name: node.id }))
                    : act(() => call(ops.adminRetireNode, { params: { id: node.id } }), t('retired2', { name: node.id })));
                }}
              >
                {confirm.kind === 'drain' ? t('drain') : t('retire')}
              </Button>
            </>
          }
        >
          <p>{t(confirm.kind === 'drain' ? 'drainText' : 'retireText', { name: confirm.node.id })}</p>
        </Dialog>
      )}
    </Section>
  );
}
