/**
 * `npm run bench:sync-state -- [--files N]`: the sync agent's state (client/src/sync/state.ts) at
 * scale, without a server or real files — what a first sync leaves (a base and a remote row per
 * path, saved batch by batch as the agent saves), then what a restart does with it: open, load the
 * remote picture, read every base once in bulk and each path's base a few times in path order (as
 * a pass does). Prints the state.db size (with its WAL), the times and the peak RSS. Issue 21
 * wants 1,000,000 files without the state growing past a few hundred MiB.
 */
import { stateBench } from '@coffer/client/testing/state-bench';
import { scriptOptions } from './options.js';

const o = scriptOptions({ files: 1_000_000, 'per-folder': 1000 }, 'npm run bench:sync-state -- [--files N] [--per-folder N]');
console.log(await stateBench(o));
