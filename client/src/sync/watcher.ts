/**
 * Local change notification: fs.watch recursive (Node 20 supports it on Linux, macOS and
 * Windows), debounced so a burst of events (an editor's write, a tree copy) makes one pass.
 * Save-by-rename needs nothing special: the pass compares the final tree with the base, so a
 * temp file renamed over the target is simply an update of the target. A periodic rescan covers
 * filesystems where watching is unsupported or lossy.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { IgnoreRules } from './ignore.js';

export interface WatchOptions {
  debounceMs: number;
  rescanMs: number;
}

export function watchTree(root: string, ignore: () => IgnoreRules, onChange: () => void, o: WatchOptions): () => void {
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, o.debounceMs);
  };
  let w: FSWatcher | undefined;
  try {
    w = watch(root, { recursive: true }, (_event, name) => {
      const rel = name?.toString().split('\\').join('/');
      if (rel && ignore().ignoredPath(rel, false)) return; // our own temp and state files
      fire();
    });
    w.on('error', () => undefined); // a vanished subfolder; the rescan still runs
  } catch {
    w = undefined; // unsupported here: the periodic rescan does the work
  }
  const rescan = setInterval(onChange, o.rescanMs);
  return () => {
    clearTimeout(timer);
    clearInterval(rescan);
    w?.close();
  };
}
