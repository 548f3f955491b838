/**
 * What a running `coffer sync` is doing, for `coffer sync --status`: each agent keeps a small JSON
 * file in the config directory (sync/<hash of DIR>.json) up to date from its log lines — its
 * state (the last thing it did), when a pass last completed, its last error — and `--status`
 * reads them, a dead pid meaning "not running".
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliSyncStatus } from '@coffer/protocol';
import { writeFileAtomic } from '../transfer/atomic-write.js';
import { configDir } from './config.js';

export function statusDir(): string {
  return join(configDir(), 'sync');
}

function statusFile(root: string): string {
  return join(statusDir(), `${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`);
}

export interface StatusRecorder {
  record(line: string): void;
  /** A pass completed (`--once` ends without an "idle" line); resolves once written. */
  synced(): Promise<void>;
}

/** Follows an agent's log lines; writes the status at most every `everyMs` (and at once on errors and idle). */
export function statusRecorder(root: string, remote: string, everyMs = 1000): StatusRecorder {
  const status: CliSyncStatus = { running: true, pid: process.pid, root, remote, state: 'starting', queue: null, lastSyncAt: null, lastError: null, updatedAt: null };
  const file = statusFile(root);
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    timer = undefined;
    last = Date.now();
    status.updatedAt = new Date().toISOString();
    return mkdir(statusDir(), { recursive: true, mode: 0o700 })
      .then(() => writeFileAtomic(file, JSON.stringify(status, null, 2) + '\n', { mode: 0o600 }))
      .catch(() => undefined); // a status file is a convenience: never stop syncing for it
  };
  const synced = () => {
    status.state = 'idle';
    status.lastSyncAt = new Date().toISOString();
  };
  const record = (line: string) => {
    // The event feed's own news (socket up, down, long polling) is not what the agent is doing: an idle agent stays idle.
    if (line.startsWith('remote changes:') && !line.includes('retrying in')) return;
    const urgent = line === 'idle' || line.includes('retrying in');
    if (line === 'idle') synced();
    else if (line.includes('retrying in')) {
      status.state = 'retrying';
      status.lastError = line;
    } else status.state = line;
    if (urgent || Date.now() - last >= everyMs) void write();
    else timer ??= setTimeout(write, everyMs).unref();
  };
  return {
    record,
    synced: () => {
      synced();
      return write();
    },
  };
}

function alive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every agent that wrote a status, `running` from whether its pid lives. */
export async function readStatuses(): Promise<CliSyncStatus[]> {
  const names = await readdir(statusDir()).catch(() => [] as string[]);
  const out: CliSyncStatus[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const parsed = CliSyncStatus.safeParse(JSON.parse(await readFile(join(statusDir(), name), 'utf8').catch(() => 'null')));
    if (parsed.success) out.push({ ...parsed.data, running: alive(parsed.data.pid) });
  }
  return out;
}
