import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { signInConfigFrom, type SignInConfig } from './auth/oidc/config.js';
import { parseNodeLists, type NodeEntry } from './nodes/entries.js';
import { DEFAULT_METRICS_ALLOW, blockListOf } from './observability/address-list.js';
import { LOG_LEVELS } from './observability/log-levels.js';
import type { SettingValues } from '@coffer/protocol';
import { settingsFromEnv } from './settings/env.js';

/** The checkout's built web app: server/src → ../../web/dist (the image keeps the same layout). */
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));
/** The checkout's built admin UI (admin-ui/dist), served at /admin. */
const DEFAULT_ADMIN_WEB_DIR = fileURLToPath(new URL('../../admin-ui/dist', import.meta.url));

/** Every setting, from the environment, validated once at boot (documented in README and .env.example). */
const Env = z.object({
  COFFER_DATA_DIR: z.string().default('./data'),
  /** PostgreSQL for metadata; default: embedded PGlite in the data directory. */
  DATABASE_URL: z.string().url().optional(),
  COFFER_HOST: z.string().default('0.0.0.0'),
  COFFER_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  /** Plain HTTP, only for running behind a TLS-terminating reverse proxy. */
  COFFER_PLAIN_HTTP: z.enum(['0', '1', 'true', 'false']).default('0'),
  COFFER_TLS_CERT: z.string().optional(),
  COFFER_TLS_KEY: z.string().optional(),
  COFFER_MASTER_KEY: z.string().optional(),
  COFFER_SERVER_SECRET: z.string().optional(),
  /** Comma-separated S3/MinIO nodes, name=http://KEY:SECRET@host:port/bucket (nodes/entries.ts); default: local directories. */
  COFFER_NODES: z.string().optional(),
  /** The cold tier's nodes, in the same form (default: none, so nothing is tiered). */
  COFFER_COLD_NODES: z.string().optional(),
  /** Tiering: blocks not read for this many days move to the cold tier. */
  COFFER_TIER_AFTER_DAYS: z.coerce.number().positive().default(30),
  /** Anyone may create an account at POST /auth/signup; otherwise only admins create users. Unset:
   *  the run-time setting decides (settings/env.ts); set, it pins it. */
  COFFER_OPEN_SIGNUP: z.enum(['0', '1', 'true', 'false']).optional(),
  /** The first admin's password (only used when the database has no user yet); default: random, printed once. */
  COFFER_ADMIN_PASSWORD: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(8).max(1024).optional()),
  /** Failed sign-ins allowed per username and per client address in a minute before 429. */
  COFFER_LOGIN_FAILURES_PER_USER: z.coerce.number().int().min(1).default(5),
  COFFER_LOGIN_FAILURES_PER_IP: z.coerce.number().int().min(1).default(20),
  /** Behind a reverse proxy: take the client address from X-Forwarded-For, the host from
   *  X-Forwarded-Host and the scheme from X-Forwarded-Proto. Never set it without a proxy. */
  COFFER_TRUST_PROXY: z.enum(['0', '1', 'true', 'false']).default('0'),
  /** Run background jobs (repair, scrub, GC) in this instance; several instances may. */
  COFFER_JOBS: z.enum(['0', '1', 'true', 'false']).default('1'),
  /** Unreferenced blocks are kept this long before GC deletes them (uploads in flight use them). */
  COFFER_GC_GRACE_SECONDS: z.coerce.number().int().min(0).default(24 * 3600),
  /** Scrub's pace, so verifying every shard never starves user traffic. */
  COFFER_SCRUB_BLOCKS_PER_SECOND: z.coerce.number().positive().default(50),
  /** Retention: at most this many versions of a file are kept (after the hourly/daily/weekly thinning). */
  COFFER_MAX_VERSIONS: z.coerce.number().int().min(1).default(100),
  /** Retention: trash older than this many days is purged (as COFFER_MAX_VERSIONS, a run-time setting the variable pins). */
  COFFER_TRASH_DAYS: z.coerce.number().int().min(1).default(30),
  /** How often the health monitor probes each storage node. */
  COFFER_NODE_PROBE_SECONDS: z.coerce.number().positive().default(10),
  /** Threads that hash, encrypt and erasure-code blocks; 0 (the default) does it on the main thread. */
  COFFER_SEAL_THREADS: z.coerce.number().int().min(0).max(64).default(0),
  /** Bytes of pack uploads' bodies worked on at once, in MiB (http/byte-budget.ts, routes/blocks.ts); past it a request waits. */
  COFFER_PACK_BUDGET_MIB: z.coerce.number().int().min(1).max(65536).default(16),
  /** The largest JSON request body read (bytes); longer ones answer 413. Uploads have limits of their own. */
  COFFER_MAX_JSON_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(64 * 1024),
  /** Where clients reach this server (https://drive.example.com): the base of every absolute URL it
   *  emits. Unset, a request's Host is used only when it names one of the server's own addresses. */
  COFFER_PUBLIC_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .url({ protocol: /^https?$/ })
      .refine((u) => !URL.canParse(u) || (!/[?#]/.test(u) && !new URL(u).username), 'an http(s) origin, optionally with a path: no query, fragment or credentials')
      .optional(),
  ),
  /** The built web app (web/dist) served at /; default: the checkout's web/dist. */
  COFFER_WEB_DIR: z.string().optional(),
  /** The built admin UI (admin-ui/dist) served at /admin; default: the checkout's admin-ui/dist. */
  COFFER_ADMIN_WEB_DIR: z.string().optional(),
  /** Tests: check every JSON answer against the protocol's schema for its status; a mismatch is a 500 and a log line. */
  COFFER_VALIDATE_ANSWERS: z.enum(['0', '1', 'true', 'false']).default('0'),
  COFFER_WEBDAV_ACCOUNT_PASSWORD: z.enum(['0', '1', 'true', 'false']).default('0'),
  /** Log level (observability/log.ts reads it at start; validated here so a misspelt one refuses the start). */
  COFFER_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** A bearer token that may read /metrics from any address. */
  COFFER_METRICS_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
  /** Comma-separated CIDRs that may read /metrics without the token (default loopback only). */
  COFFER_METRICS_ALLOW: z.string().optional(),
  /** How often the usage sampler records storage use and traffic for the dashboard's charts. */
  COFFER_USAGE_SAMPLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /** Usage samples older than this are dropped. */
  COFFER_USAGE_RETENTION_DAYS: z.coerce.number().int().min(1).default(400),
});

const on = (v: string) => v === '1' || v === 'true';

export interface Config {
  dataDir: string;
  databaseUrl?: string;
  host: string;
  port: number;
  plainHttp: boolean;
  tls: { cert?: string; key?: string };
  masterKey?: string;
  serverSecret?: string;
  /** Configured storage nodes of both tiers (URLs hold credentials: never log them). */
  nodes: NodeEntry[];
  adminPassword?: string;
  loginLimits: { perUser: number; perIp: number; windowMs: number };
  trustProxy: boolean;
  /** Sealing threads (0: inline on the main thread). */
  sealThreads: number;
  /** Cap on JSON request bodies, in bytes. */
  maxJsonBytes: number;
  /** Bytes of pack uploads' bodies worked on at once (COFFER_PACK_BUDGET_MIB). */
  packBudgetBytes: number;
  /** The built web app's folder (index.html, assets/). */
  webDir: string;
  /** The built admin UI's folder, served at /admin. */
  adminWebDir: string;
  /** The origin (and path prefix, if any) clients use, without a trailing slash; unset: see public-url.ts. */
  publicUrl?: string;
  /** Check answers against @coffer/protocol (COFFER_VALIDATE_ANSWERS; the test fixtures set it). */
  validateAnswers: boolean;
  /** WebDAV Basic auth also takes the account password (COFFER_WEBDAV_ACCOUNT_PASSWORD); app passwords always work. */
  webdavAccountPassword: boolean;
  /** Password sign-in on or off, and single sign-on (auth/oidc/config.ts: COFFER_OIDC_*, COFFER_PASSWORD_LOGIN). */
  signIn: SignInConfig;
  /** Who may read /metrics: the token (never log it), or an address in `allow`. */
  metrics: { token?: string; allow: string[] };
  /** Run-time settings the environment pins (settings/env.ts): an admin cannot change these. */
  pinnedSettings: Partial<SettingValues>;
  usage: { sampleMs: number; retentionDays: number };
  jobs: {
    enabled: boolean;
    gcGraceMs: number;
    scrubBlocksPerSecond: number;
    probeIntervalMs: number;
    maxVersions: number;
    trashDays: number;
    tierAfterMs: number;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${why}`);
  }
  const e = parsed.data;
  let nodes: NodeEntry[];
  const metricsAllow = e.COFFER_METRICS_ALLOW?.split(',').map((s) => s.trim()).filter(Boolean) ?? DEFAULT_METRICS_ALLOW;
  try {
    nodes = parseNodeLists(e.COFFER_NODES, e.COFFER_COLD_NODES);
    blockListOf(metricsAllow); // refuses what is no address or CIDR
  } catch (err) {
    throw new Error(`invalid configuration: ${(err as Error).message}`);
  }
  const signIn = signInConfigFrom(env);
  return {
    dataDir: resolve(e.COFFER_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    host: e.COFFER_HOST,
    port: e.COFFER_PORT,
    plainHttp: on(e.COFFER_PLAIN_HTTP),
    tls: { cert: e.COFFER_TLS_CERT, key: e.COFFER_TLS_KEY },
    masterKey: e.COFFER_MASTER_KEY,
    serverSecret: e.COFFER_SERVER_SECRET,
    nodes,
    adminPassword: e.COFFER_ADMIN_PASSWORD,
    loginLimits: { perUser: e.COFFER_LOGIN_FAILURES_PER_USER, perIp: e.COFFER_LOGIN_FAILURES_PER_IP, windowMs: 60_000 },
    trustProxy: on(e.COFFER_TRUST_PROXY),
    // Inline by default: a sealing thread is an isolate of its own (~15 MiB, plus the garbage it
    // holds between collections), which the 2 GiB transfer test's 300 MiB bound did not leave room
    // for; worth it with cores to spare.
    sealThreads: e.COFFER_SEAL_THREADS,
    maxJsonBytes: e.COFFER_MAX_JSON_BYTES,
    packBudgetBytes: e.COFFER_PACK_BUDGET_MIB * 1024 * 1024,
    webDir: e.COFFER_WEB_DIR ? resolve(e.COFFER_WEB_DIR) : DEFAULT_WEB_DIR,
    adminWebDir: e.COFFER_ADMIN_WEB_DIR ? resolve(e.COFFER_ADMIN_WEB_DIR) : DEFAULT_ADMIN_WEB_DIR,
    publicUrl: e.COFFER_PUBLIC_URL?.replace(/\/+$/, ''),
    validateAnswers: on(e.COFFER_VALIDATE_ANSWERS),
    webdavAccountPassword: on(e.COFFER_WEBDAV_ACCOUNT_PASSWORD),
    signIn,
    metrics: { token: e.COFFER_METRICS_TOKEN, allow: metricsAllow },
    pinnedSettings: settingsFromEnv(env),
    usage: { sampleMs: e.COFFER_USAGE_SAMPLE_MINUTES * 60_000, retentionDays: e.COFFER_USAGE_RETENTION_DAYS },
    jobs: {
      enabled: on(e.COFFER_JOBS),
      gcGraceMs: e.COFFER_GC_GRACE_SECONDS * 1000,
      scrubBlocksPerSecond: e.COFFER_SCRUB_BLOCKS_PER_SECOND,
      probeIntervalMs: e.COFFER_NODE_PROBE_SECONDS * 1000,
      maxVersions: e.COFFER_MAX_VERSIONS,
      trashDays: e.COFFER_TRASH_DAYS,
      tierAfterMs: e.COFFER_TIER_AFTER_DAYS * 86_400_000,
    },
  };
}
