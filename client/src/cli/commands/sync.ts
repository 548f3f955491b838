/** `coffer sync DIR [REMOTE]`: the desktop sync agent (client/src/sync/), until interrupted. */
import { mkdir, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { removeTempFilesSync } from '../../transfer/temp-files.js';
import { runAgent } from '../../sync/agent.js';
import { nodeFs } from '../../sync/node-fs.js';
import { countBlocksTo } from '../../sync/stats-file.js';
import { clientEnv } from '../../env.js';
import { EXIT } from '../failure.js';
import { note, openSession, parse, remotePath } from '../context.js';

export async function sync(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(
    args,
    { stats: { type: 'string' }, once: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
    { min: 1, max: 2, usage: 'coffer sync DIR [REMOTE] [--once] [--stats FILE] [--quiet]' },
  );
  const root = resolve(positionals[0]!);
  const info = await stat(root).catch(() => undefined);
  if (info && !info.isDirectory()) throw new Error(`${root} is not a folder`);
  if (!info) await mkdir(root, { recursive: true });
  const remote = remotePath(positionals[1] ?? `/${basename(root)}`);

  const { api, config } = await openSession();
  // Ctrl-C or a service stop: leave no half-written temp files behind (SIGKILL leaves hidden
  // `.name.coffer-….part` files, which are ignored and cleaned by nothing worse than a later rm).
  const stop = (code: number) => () => {
    removeTempFilesSync();
    process.exit(code);
  };
  process.once('SIGINT', stop(EXIT.sigint));
  process.once('SIGTERM', stop(EXIT.sigterm));
  const log = (line: string) => {
    if (!v.quiet || !line.startsWith('idle')) note(`${new Date().toISOString()} ${line}`);
  };
  log(`syncing ${root} with ${remote}`);
  try {
    if (v.stats) countBlocksTo(api, v.stats);
    await runAgent({
      api,
      fs: nodeFs(root),
      remoteRoot: remote,
      once: v.once,
      timings: clientEnv().syncTimings,
      log,
    });
  } finally {
    api.close();
  }
}
