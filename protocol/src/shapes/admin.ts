/** Administration on the wire: accounts, storage nodes, background jobs, degraded blocks. */
import { z } from 'zod';
import { count, id, optionalParam, pageLimit, text } from '../fields.js';
import { timestamp } from './common.js';
import { Password, ROLES, Username } from './account.js';

const Email = z.email().max(320); // ASCII only: no NUL or surrogate can pass it

export const AdminUser = z
  .object({
    id: id(),
    username: z.string(),
    email: z.string().nullable(),
    role: z.enum(ROLES),
    quotaBytes: count(),
    usedBytes: count(),
    reservedBytes: count().register(z.globalRegistry, { description: 'Held by uploads not committed yet' }),
    disabled: z.boolean(),
    mustChangePassword: z.boolean(),
    createdAt: timestamp(),
  })
  .register(z.globalRegistry, { id: 'AdminUser', description: 'An account as an administrator sees it (never the password hash).' });
export type AdminUser = z.infer<typeof AdminUser>;

export const AdminUserList = z.object({ users: z.array(AdminUser) });

export const NewUserRequest = z.object({
  username: Username,
  password: Password,
  role: z.enum(ROLES).optional(),
  quotaBytes: count().optional(),
  email: Email.nullable().optional(),
  mustChangePassword: z.boolean().optional().register(z.globalRegistry, { description: 'Default true: the admin knows the password they typed, so the user should replace it' }),
});

export const UserPatchRequest = z
  .object({
    role: z.enum(ROLES),
    quotaBytes: count(),
    disabled: z.boolean().register(z.globalRegistry, { description: 'Disabling signs the user out everywhere' }),
    password: Password.meta({ description: 'A new password: signs the user out everywhere; they must change it unless `mustChangePassword: false`' }),
    email: Email.nullable(),
    mustChangePassword: z.boolean(),
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one field to change');

// ---- Storage nodes ----

export const TIERS = ['hot', 'cold'] as const;
export const NODE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const NODE_NAME_RULE = 'lowercase letters, digits and inner hyphens, 1 to 40 characters';
/** The embedded local-directory nodes are local-0, local-1, local-2: no other node may take such a name. */
export const LOCAL_PREFIX = 'local-';

/** Why `name` cannot name a node, or undefined when it can. */
export function nodeNameProblem(name: string): string | undefined {
  if (!NODE_NAME.test(name)) return `a node name is ${NODE_NAME_RULE}`;
  if (name.startsWith(LOCAL_PREFIX)) return `names starting with "${LOCAL_PREFIX}" belong to the embedded local-directory nodes`;
  return undefined;
}

/** The driver's options a node URL may carry, bounded so no call can hang for long. */
export const NODE_URL_OPTIONS: Readonly<Record<string, readonly [number, number]>> = {
  timeoutMs: [100, 600_000],
  deadlineMs: [100, 3_600_000],
  retries: [0, 10],
};

/** Why `url` is not an S3 node URL, or undefined when it is; the reason never quotes the URL (it holds credentials). */
export function nodeUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL (expected http://KEY:SECRET@host:port/bucket)';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'an S3 node URL is http:// or https://';
  if (!u.pathname.split('/').some((s) => s !== '')) return 'the URL names no bucket (expected http://KEY:SECRET@host:port/bucket)';
  for (const [option, [min, max]] of Object.entries(NODE_URL_OPTIONS)) {
    const v = u.searchParams.get(option);
    if (v !== null && !(/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max)) return `${option} is a whole number from ${min} to ${max}`;
  }
  return undefined;
}

/** A reason from a check, as a zod issue (the value itself is never quoted: a URL holds credentials). */
const checked = (problem: (s: string) => string | undefined) => (value: string, ctx: z.RefinementCtx) => {
  const why = problem(value);
  if (why) ctx.addIssue({ code: 'custom', message: why });
};

export const NewNodeRequest = z.strictObject({
  name: text(100)
    .superRefine(checked(nodeNameProblem))
    .register(z.globalRegistry, { pattern: NODE_NAME.source, description: `${NODE_NAME_RULE}; not starting with \`${LOCAL_PREFIX}\` (the embedded nodes’ names)` }),
  url: text(4096).superRefine(checked(nodeUrlProblem)).register(z.globalRegistry, { description: '`http(s)://KEY:SECRET@host:port/bucket[/prefix][?region=…]`' }),
  tier: z.enum(TIERS).default('hot'),
  rebalance: z.boolean().default(true).register(z.globalRegistry, { description: 'Queue a rebalance onto the new node' }),
});

/** A node's name in a URL path: anything the service does not know is 404 `no_node`. */
export const NodeParams = z.object({ id: text(200, 1).register(z.globalRegistry, { description: 'A node id, as `GET /admin/nodes` lists it' }) });

export const NodeView = z
  .object({
    id: z.string().register(z.globalRegistry, { description: 'The node’s name: chosen by the operator, stored in shard records, never reused' }),
    tier: z.enum(TIERS),
    kind: z.enum(['local', 's3']).register(z.globalRegistry, { description: '`local`: an embedded directory in the data directory' }),
    origin: z
      .enum(['config', 'api', 'embedded'])
      .register(z.globalRegistry, { description: 'From `COFFER_NODES`/`COFFER_COLD_NODES`, added through this API, or the embedded default' }),
    endpoint: z
      .string()
      .nullable()
      .register(z.globalRegistry, { description: 'Where it is, without credentials (`http://host:port/bucket`, or a directory below the data directory)' }),
    state: z.enum(['up', 'down', 'draining', 'retired']),
    lastSeenAt: timestamp().nullable().register(z.globalRegistry, { description: 'Last successful probe' }),
    usedBytes: count().nullable().register(z.globalRegistry, { description: 'Used bytes of the node’s file system; null when the driver cannot tell (S3)' }),
    capacityBytes: count().nullable().register(z.globalRegistry, { description: 'Size of the node’s file system; null when the driver cannot tell (S3)' }),
    retiredAt: timestamp().nullable(),
  })
  .register(z.globalRegistry, { id: 'NodeView', description: 'A storage node with its health; never a credential.' });
export type NodeView = z.infer<typeof NodeView>;

export const NodeList = z.object({ nodes: z.array(NodeView) });

// ---- Jobs ----

export const JOB_KINDS = ['repair', 'scrub', 'gc', 'retention', 'tiering', 'drain', 'rebalance', 'usage', 'orphans', 'reconcile', 'departed'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
/** Kinds an admin queues through POST /admin/jobs (drain and rebalance name a node: /admin/nodes/{id}/…). */
export const PLAIN_JOB_KINDS = ['repair', 'scrub', 'gc', 'retention', 'tiering', 'orphans', 'reconcile', 'departed'] as const;
export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

const json = z.record(z.string(), z.unknown());

export const JobView = z
  .object({
    id: id(),
    kind: z.enum(JOB_KINDS),
    state: z.enum(JOB_STATES),
    payload: json,
    progress: json.meta({
      description:
        'Per kind. scrub: `{scanned, total, damaged, repaired, unrepaired, bytes, lastKey}`; repair: `{repaired, pending}`; gc: `{sessions, deleted, bytes}`; retention: `{versionsDeleted, trashPurged, auditTrimmed, samplesTrimmed}`; usage: `{at}`; tiering: `{moved, bytesFreed, bytesWritten, failed, before}`; drain: `{nodeId, total, done, movedShards, movedBytes, reencoded, stuck, remainingBlocks, sweptObjects, empty}`; rebalance: `{nodeId, scanned, movedShards, movedBytes, cursor}`; orphans: `{dryRun, nodes: {<id>: {listed, orphans, deleted, waiting, sample}}, orphans, deleted, waiting}`; reconcile: `{users, drifted, repaired, drift: [{userId, username, recordedBytes, actualBytes}]}`; departed: `{due, purged, blocksDeleted}`',
    }),
    attempts: count(),
    maxAttempts: count(),
    lastError: z.string().nullable(),
    runAfter: timestamp(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
    finishedAt: timestamp().nullable(),
  })
  .register(z.globalRegistry, { id: 'JobView', description: 'A background job and how far it got.' });
export type JobView = z.infer<typeof JobView>;

export const JobList = z.object({ jobs: z.array(JobView) });

export const NodeAdded = z.object({ node: NodeView, job: JobView.nullable().register(z.globalRegistry, { description: 'The rebalance queued onto it (null with `rebalance: false`)' }) });
export const NodeRetired = z.object({ node: NodeView });

const Limit = pageLimit();

export const JobsQuery = z.object({ state: z.enum(JOB_STATES).optional(), kind: z.enum(JOB_KINDS).optional(), limit: Limit });

export const NewJobRequest = z
  .strictObject({
    kind: z.enum(PLAIN_JOB_KINDS),
    blocksPerSecond: z.number().positive().max(1_000_000).optional().register(z.globalRegistry, { description: 'scrub only: its pace (default from COFFER_SCRUB_BLOCKS_PER_SECOND)' }),
    dryRun: z.boolean().optional().register(z.globalRegistry, { description: 'orphans and reconcile only: report what would be deleted or repaired, change nothing' }),
  })
  .refine((b) => b.blocksPerSecond === undefined || b.kind === 'scrub', 'blocksPerSecond applies to scrub only')
  .refine((b) => b.dryRun === undefined || b.kind === 'orphans' || b.kind === 'reconcile', 'dryRun applies to orphans and reconcile only');

export const DegradedQuery = z.object({ after: optionalParam(text(200)).register(z.globalRegistry, { description: 'The key to continue after' }), limit: Limit });

export const DegradedBlock = z
  .object({
    key: z.string(),
    reason: z.string(),
    firstSeenAt: timestamp(),
    lastSeenAt: timestamp(),
    repairAttempts: count(),
    lastError: z.string().nullable(),
  })
  .register(z.globalRegistry, { id: 'DegradedBlock' });
export type DegradedBlock = z.infer<typeof DegradedBlock>;

export const DegradedList = z.object({ total: count(), blocks: z.array(DegradedBlock) });
