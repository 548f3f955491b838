import { resolve } from 'node:path';
import { z } from 'zod';

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
  /** Comma-separated S3/MinIO node URLs (http://KEY:SECRET@host:port/bucket); default: local directories. */
  COFFER_NODES: z.string().optional(),
});

export interface Config {
  dataDir: string;
  databaseUrl?: string;
  host: string;
  port: number;
  plainHttp: boolean;
  tls: { cert?: string; key?: string };
  masterKey?: string;
  serverSecret?: string;
  nodeUrls: string[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${why}`);
  }
  const e = parsed.data;
  return {
    dataDir: resolve(e.COFFER_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    host: e.COFFER_HOST,
    port: e.COFFER_PORT,
    plainHttp: e.COFFER_PLAIN_HTTP === '1' || e.COFFER_PLAIN_HTTP === 'true',
    tls: { cert: e.COFFER_TLS_CERT, key: e.COFFER_TLS_KEY },
    masterKey: e.COFFER_MASTER_KEY,
    serverSecret: e.COFFER_SERVER_SECRET,
    nodeUrls: (e.COFFER_NODES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}
