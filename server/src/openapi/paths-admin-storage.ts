/** Paths of storage administration: node health, background jobs, degraded blocks (admin only). */
import { body, errors, json, op, param, type Json } from './helpers.js';

const KINDS = ['repair', 'scrub', 'gc', 'retention', 'tiering', 'drain', 'rebalance'];
const PLAIN_KINDS = ['repair', 'scrub', 'gc', 'retention', 'tiering'];
const STATES = ['queued', 'running', 'done', 'failed', 'cancelled'];
const time = { type: 'string', format: 'date-time' };
const nullable = (t: string, extra: Json = {}): Json => ({ type: [t, 'null'], ...extra });

const NodeView: Json = {
  type: 'object',
  required: ['id', 'tier', 'kind', 'origin', 'endpoint', 'state', 'lastSeenAt', 'usedBytes', 'capacityBytes', 'retiredAt'],
  properties: {
    id: { type: 'string', description: 'The node’s name: chosen by the operator, stored in shard records, never reused' },
    tier: { type: 'string', enum: ['hot', 'cold'] },
    kind: { type: 'string', enum: ['local', 's3'], description: '`local`: an embedded directory in the data directory' },
    origin: { type: 'string', enum: ['config', 'api', 'embedded'], description: 'From `COFFER_NODES`/`COFFER_COLD_NODES`, added through this API, or the embedded default' },
    endpoint: nullable('string', { description: 'Where it is, without credentials (`http://host:port/bucket`, or a directory below the data directory)' }),
    state: { type: 'string', enum: ['up', 'down', 'draining', 'retired'] },
    lastSeenAt: nullable('string', { format: 'date-time', description: 'Last successful probe' }),
    usedBytes: nullable('integer', { description: 'Used bytes of the node’s file system; null when the driver cannot tell (S3)' }),
    capacityBytes: nullable('integer', { description: 'Size of the node’s file system; null when the driver cannot tell (S3)' }),
    retiredAt: nullable('string', { format: 'date-time' }),
  },
};

const JobView: Json = {
  type: 'object',
  required: ['id', 'kind', 'state', 'payload', 'progress', 'attempts', 'maxAttempts', 'lastError', 'runAfter', 'createdAt', 'updatedAt', 'finishedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    kind: { type: 'string', enum: KINDS },
    state: { type: 'string', enum: STATES },
    payload: { type: 'object' },
    progress: {
      type: 'object',
      description: 'Per kind. scrub: `{scanned, total, damaged, repaired, unrepaired, bytes, lastKey}`; repair: `{repaired, pending}`; gc: `{sessions, deleted, bytes}`; retention: `{versionsDeleted, trashPurged}`; tiering: `{moved, bytesFreed, bytesWritten, failed, before}`; drain: `{nodeId, total, done, movedShards, movedBytes, reencoded, stuck, remainingBlocks, sweptObjects, empty}`; rebalance: `{nodeId, scanned, movedShards, movedBytes, cursor}`',
    },
    attempts: { type: 'integer' },
    maxAttempts: { type: 'integer' },
    lastError: nullable('string'),
    runAfter: time,
    createdAt: time,
    updatedAt: time,
    finishedAt: nullable('string', { format: 'date-time' }),
  },
};

const DegradedBlock: Json = {
  type: 'object',
  required: ['key', 'reason', 'firstSeenAt', 'lastSeenAt', 'repairAttempts', 'lastError'],
  properties: {
    key: { type: 'string' },
    reason: { type: 'string' },
    firstSeenAt: time,
    lastSeenAt: time,
    repairAttempts: { type: 'integer' },
    lastError: nullable('string'),
  },
};

const nodeIdParam: Json = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'A node id, as `GET /admin/nodes` lists it' };
const limitParam: Json = { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } };

export const adminStoragePaths: Record<string, Json> = {
  '/admin/nodes': {
    get: op({
      tag: 'admin',
      operationId: 'adminListNodes',
      summary: 'Storage nodes with their health, tier and capacity (admin only)',
      responses: {
        '200': json({ type: 'object', required: ['nodes'], properties: { nodes: { type: 'array', items: NodeView } } }, 'Nodes, live ones first'),
        ...errors(403),
      },
    }),
    post: op({
      tag: 'admin',
      operationId: 'adminAddNode',
      summary: 'Add an S3 storage node at run time (admin only)',
      description:
        'The node must store, return and delete a test object. Its URL, credentials included, is kept in the database sealed under the ' +
        'master key, so the next boot opens it without a configuration change; it is never shown again. A rebalance onto it is queued ' +
        'unless `rebalance` is false. 400 `node_unreachable`; 409 `node_exists` (names are never reused) or `endpoint_in_use`.',
      unsafe: true,
      requestBody: body({
        type: 'object',
        required: ['name', 'url'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$', description: 'Not starting with `local-` (the embedded nodes’ names)' },
          url: { type: 'string', description: '`http(s)://KEY:SECRET@host:port/bucket[/prefix][?region=…]`' },
          tier: { type: 'string', enum: ['hot', 'cold'], default: 'hot' },
          rebalance: { type: 'boolean', default: true },
        },
      }),
      responses: {
        '201': json({ type: 'object', required: ['node', 'job'], properties: { node: NodeView, job: { oneOf: [JobView, { type: 'null' }] } } }, 'Added'),
        ...errors(400, 409),
      },
    }),
  },
  '/admin/nodes/{id}/drain': {
    post: op({
      tag: 'admin',
      operationId: 'adminDrainNode',
      summary: 'Queue a drain of a node: every shard moves off it (admin only)',
      description:
        'The node turns `draining` at once, in the database (no new shards, also after a restart; reads still use it). Once the job ' +
        'is done with `progress.remainingBlocks` 0, retire the node. 404 `no_node`.',
      unsafe: true,
      parameters: [nodeIdParam],
      responses: { '201': json(JobView, 'Queued'), ...errors(404) },
    }),
  },
  '/admin/nodes/{id}/rebalance': {
    post: op({
      tag: 'admin',
      operationId: 'adminRebalanceNode',
      summary: 'Queue a rebalance onto a newly added node: it takes its share of the shards (admin only)',
      description: 'A draining node takes shards again. 404 `no_node`.',
      unsafe: true,
      parameters: [nodeIdParam],
      responses: { '201': json(JobView, 'Queued'), ...errors(404) },
    }),
  },
  '/admin/nodes/{id}/retire': {
    post: op({
      tag: 'admin',
      operationId: 'adminRetireNode',
      summary: 'Retire a drained node: it leaves for good (admin only)',
      description:
        'The node must be draining and hold no shard. It leaves the pool at once; the configuration may then drop it (an entry ' +
        'left behind is ignored). 404 `no_node`; 409 `not_draining`, `has_shards` (`details.shards`), `retired` or `last_hot_node`.',
      unsafe: true,
      parameters: [nodeIdParam],
      responses: { '200': json({ type: 'object', required: ['node'], properties: { node: NodeView } }, 'Retired'), ...errors(404, 409) },
    }),
  },
  '/admin/jobs': {
    get: op({
      tag: 'admin',
      operationId: 'adminListJobs',
      summary: 'Background jobs with their progress, newest first (admin only)',
      parameters: [
        { name: 'state', in: 'query', required: false, schema: { type: 'string', enum: STATES } },
        { name: 'kind', in: 'query', required: false, schema: { type: 'string', enum: KINDS } },
        limitParam,
      ],
      responses: {
        '200': json({ type: 'object', required: ['jobs'], properties: { jobs: { type: 'array', items: JobView } } }, 'Jobs'),
        ...errors(400, 403),
      },
    }),
    post: op({
      tag: 'admin',
      operationId: 'adminStartJob',
      summary: 'Queue a job now: repair, scrub, gc, retention or tiering (admin only; drain and rebalance are queued per node)',
      unsafe: true,
      requestBody: body({
        type: 'object',
        required: ['kind'],
        additionalProperties: false,
        properties: {
          kind: { type: 'string', enum: PLAIN_KINDS },
          blocksPerSecond: { type: 'number', exclusiveMinimum: 0, description: 'scrub only: its pace' },
        },
      }),
      responses: { '201': json(JobView, 'Queued'), ...errors(400) },
    }),
  },
  '/admin/jobs/{id}/cancel': {
    post: op({
      tag: 'admin',
      operationId: 'adminCancelJob',
      summary: 'Cancel a queued or running job (a running one stops at its next checkpoint) (admin only)',
      description: '409 `not_active` when it already finished.',
      unsafe: true,
      parameters: [param('IdPath')],
      responses: { '200': json(JobView, 'Cancelled'), ...errors(404, 409) },
    }),
  },
  '/admin/blocks/degraded': {
    get: op({
      tag: 'admin',
      operationId: 'adminListDegradedBlocks',
      summary: 'Blocks waiting for repair, in key order (admin only)',
      parameters: [{ name: 'after', in: 'query', required: false, schema: { type: 'string' }, description: 'Key to continue after' }, limitParam],
      responses: {
        '200': json(
          { type: 'object', required: ['total', 'blocks'], properties: { total: { type: 'integer' }, blocks: { type: 'array', items: DegradedBlock } } },
          'Degraded blocks',
        ),
        ...errors(400, 403),
      },
    }),
  },
};
