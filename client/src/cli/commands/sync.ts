/**
 * `coffer sync DIR [REMOTE]`: the desktop sync agent (client/src/sync/), until interrupted;
 * `--create` to make a DIR that does not exist (a typo must not sync an empty folder), `--status`
 * (what the running agents do: sync-status.ts), `--install` (start at login: sync-install.ts).
 */
import { mkdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CliSyncInstall, CliSyncStatusList, type CliSyncStatus } from '@coffer/protocol';
import { UsageError } from '../../api/errors.js';
import { removeTempFilesSync } from '../../transfer/temp-files.js';
import { runAgent } from '../../sync/agent.js';
import { nodeFs } from '../../sync/node-fs.js';
import { META_DIR, STATE_DB } from '../../sync/state.js';
import { DiskBlockCache } from '../../transfer/block-cache.js';
import { countBlocksTo } from '../../sync/stats-file.js';
import { clientEnv } from '../../env.js';
import { EXIT } from '../failure.js';
import { humanDate } from '../format.js';
import { batchedNotes, jsonOutput, printJson } from '../output.js';
import { installAgent } from '../sync-install.js';
import { readStatuses, statusRecorder } from '../sync-status.js';
import { openSession, parse, print, remotePath } from '../context.js';

const USAGE = 'coffer sync DIR [REMOTE] [--create] [--once] [--stats FILE] [--quiet] | --status | --install DIR [REMOTE]';

export async function sync(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(
    args,
    { stats: { type: 'string' }, once: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, create: { type: 'boolean' }, status: { type: 'boolean' }, install: { type: 'boolean' } },
    { min: 0, max: 2, usage: USAGE },
  );
  if (v.status) return showStatus();
  if (positionals.length === 0) throw new UsageError(`usage: ${USAGE}`);
  const root = resolve(positionals[0]!);
  const info = await stat(root).catch(() => undefined);
  if (info && !info.isDirectory()) throw new Error(`${root} is not a folder`);
  if (!info && !v.create) throw new Error(`${root} does not exist; add --create to make it and sync into it`);
  const remote = remotePath(positionals[1] ?? `/${basename(root)}`);
  if (v.install) {
    const done = await installAgent(root, remote);
    if (jsonOutput()) return printJson(CliSyncInstall, done);
    print(`Wrote ${done.file}; the agent will start at login. To start it now: ${done.start}`);
    return;
  }
  if (!info) await mkdir(root, { recursive: true });

  const { api } = await openSession();
  // Ctrl-C or a service stop: leave no half-written temp files behind (SIGKILL leaves hidden
  // `.name.coffer-….part` files, which are ignored and cleaned by nothing worse than a later rm).
  const stop = (code: number) => () => {
    removeTempFilesSync();
    process.exit(code);
  };
  process.once('SIGINT', stop(EXIT.sigint));
  process.once('SIGTERM', stop(EXIT.sigterm));
  const status = statusRecorder(root, remote);
  const toStderr = batchedNotes();
  const log = (line: string) => {
    status.record(line);
    if (!v.quiet || !line.startsWith('idle')) toStderr(`${new Date().toISOString()} ${line}`);
  };
  log(`syncing ${root} with ${remote}`);
  // Blocks this device sent or received, kept so an edit goes as deltas against them (issue 21).
  const blockCache = new DiskBlockCache(join(root, META_DIR, 'blocks'));
  try {
    if (v.stats) countBlocksTo(api, v.stats);
    await runAgent({
      api,
      fs: nodeFs(root),
      remoteRoot: remote,
      state: join(root, STATE_DB),
      blockCache,
      once: v.once,
      timings: clientEnv().syncTimings,
      log,
    });
    // --once: the bases still being read back (block-fill.ts) are there for the next run's edits.
    await blockCache.settled();
    await status.synced();
  } finally {
    api.close();
  }
}

async function showStatus(): Promise<void> {
  const agents = await readStatuses();
  if (jsonOutput()) return printJson(CliSyncStatusList, { agents });
  if (!agents.length) print('No sync agent has run here yet (coffer sync DIR starts one).');
  for (const a of agents) print(describe(a));
}

function describe(a: CliSyncStatus): string {
  return [
    `${a.root} <-> ${a.remote}: ${a.running ? `running (pid ${a.pid})` : 'not running'}`,
    `  state:     ${a.state ?? '-'}`,
    `  last sync: ${a.lastSyncAt ? humanDate(a.lastSyncAt) : 'never'}`,
    `  last error: ${a.lastError ?? 'none'}`,
  ].join('\n');
}
