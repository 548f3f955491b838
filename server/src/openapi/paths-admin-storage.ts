/** Paths of storage administration: node health, background jobs, degraded blocks (admin only). */
import { body, errors, json, op, param, type Json } from './helpers.js';

const KINDS = ['repair', 'scrub', 'gc', 'retention', 'tiering', 'drain', 'rebalance'];
const PLAIN_KINDS = ['repair', 'scrub', 'gc', 'retention', 'tiering'];
const STATES = ['queued', 'running', 'done', 'failed', 'cancelled'];
const time = { type: 'string', format: 'date-time' };
const nullable = (t: string, extra: Json = {}): Json => ({ type: [t, 'null'], ...extra });

const NodeHealth: Json = {
  type: 'object',
  required: ['id', 'tier', 'state', 'lastSeenAt', 'usedBytes', 'capacityBytes'],
  properties: {
    id: { type: 'string' },
    tier: { type: 'string', enum: ['hot', 'cold'] },
    state: { type: 'string', enum: ['up', 'down', 'draining'] },
    lastSeenAt: nullable('string', { format: 'date-time', description: 'Last successful probe' }),
    usedBytes: nullable('integer', { description: 'Used bytes of the node’s file system; null when the driver cannot tell (S3)' }),
    capacityBytes: nullable('integer', { description: 'Size of the node’s file system; null when the driver cannot tell (S3)' }),
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
      description: 'Per kind. scrub: `{scanned, total, damaged, repaired, unrepaired, bytes, lastKey}`; repair: `{repaired, pending}`; gc: `{sessions, deleted, bytes}`; retention: `{versionsDeleted, trashPurged}`; tiering: `{moved, bytesFreed, bytesWritten, failed, before}`; drain: `{nodeId, total, done, movedShards, movedBytes, stuck, remainingBlocks, sweptObjects, empty}`; rebalance: `{nodeId, scanned, movedShards, movedBytes, cursor}`',
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
        '200': json({ type: 'object', required: ['nodes'], properties: { nodes: { type: 'array', items: NodeHealth } } }, 'Nodes'),
        ...errors(403),
      },
    }),
  },
  '/admin/nodes/{id}/drain': {
    post: op({
      tag: 'admin',
      operationId: 'adminDrainNode',
      summary: 'Queue a drain of a node: every shard moves off it (admin only)',
      description:
        'The node turns `draining` (no new shards; reads still use it). Once the job is done with `progress.empty`, ' +
        'the node can be removed from `COFFER_NODES`. 404 `no_node`.',
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
      description: '404 `no_node`.',
      unsafe: true,
      parameters: [nodeIdParam],
      responses: { '201': json(JobView, 'Queued'), ...errors(404) },
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
