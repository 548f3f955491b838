// The commands that move file contents (sync, put, get) start again at once (process.execve: the
// same pid and stdio, nothing else loaded yet) with what only a process's start can set:
//
// - V8 flags, TRANSFER_NODE_FLAGS (not allowed in NODE_OPTIONS). With V8's default, small first
//   limit for the old generation, an agent moving a big file ran a full collection every ~100 ms
//   (--trace-gc: "Start (task)" with the heap at ~22 MB): one new 100 MiB file cost the sending
//   agent ~250 ms of marking threads and ~100 ms of its main thread. With 64 MB, none while it sends.
// - On Linux with glibc, GLIBC_TUNABLES=glibc.malloc.hugetlb=1: malloc asks for transparent huge
//   pages for its heap and its mappings of 2 MiB or more, where chunks, blocks and packs live.
//   Every first touch of a 4 KiB page is a fault; on this project's VM a fault costs ~10 µs (2.65
//   ms per MiB touched, 0.06 with huge pages). bench:tree, embedded server, snapshots 1-5, two
//   interleaved pairs without and with: snapshot 1 7.7, 7.2 -> 6.2, 6.5 s (agent CPU 3.8, 3.5 ->
//   2.8, 2.8 s), the later snapshots 5-15 % faster (agent CPU -15 to -23 %); the unchanged tree
//   0.5 -> 0.5-0.6 s (the restart, ~0.1 s of CPU). (The server does not take it: its CPU did not
//   move and its peak RSS rose ~40 MiB — server/README.md.) A GLIBC_TUNABLES already set, to
//   anything or empty, is left as it is: the user's, a service's, or this restart's.
//
// A flag already given (the user's, or this restart's) is not given again; with nothing to add,
// no restart. Node before 22.15 has no process.execve: it simply runs without.
const MOVERS = new Set(['sync', 'put', 'get']);

/** V8 flags of the commands that move contents; the sync tests' agents start with them too (client/test/sync-harness.ts). */
export const TRANSFER_NODE_FLAGS = ['--initial-old-space-size=64'];

/** The environment a content-moving command adds for itself (none where it would add nothing);
 *  the sync tests' agents start with it too (client/test/sync-harness.ts). */
export function transferEnv(env = process.env) {
  // musl reads no glibc tunables.
  const hugePages = process.platform === 'linux' && env.GLIBC_TUNABLES === undefined && Boolean(process.report?.getReport().header.glibcVersionRuntime);
  return hugePages ? { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' } : {};
}

export function relaunchForTransfers() {
  if (typeof process.execve !== 'function') return;
  if (!process.argv.slice(2).some((a) => MOVERS.has(a))) return;
  const added = transferEnv();
  const env = { ...process.env, ...added };
  const given = new Set(process.execArgv.map((a) => a.split('=')[0]));
  const flags = TRANSFER_NODE_FLAGS.filter((f) => !given.has(f.split('=')[0]));
  if (added.GLIBC_TUNABLES === undefined && flags.length === 0) return;
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], env);
}
