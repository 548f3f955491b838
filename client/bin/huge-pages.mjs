// Huge pages for the commands that move file contents (sync, put, get), on Linux with glibc: the
// process starts again at once (execve: the same pid and stdio, nothing else loaded yet) with
// GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which has malloc ask for transparent huge pages for its
// heap and its mappings of 2 MiB or more, where chunks, blocks and packs live. A tunable is read
// only as a process starts, hence the restart. Every first touch of a 4 KiB page is a fault; on
// this project's VM a fault costs ~10 µs (2.65 ms per MiB touched, 0.06 with huge pages).
// bench:tree, embedded server, snapshots 1-5, two interleaved pairs without and with: snapshot 1
// 7.7, 7.2 -> 6.2, 6.5 s (agent CPU 3.8, 3.5 -> 2.8, 2.8 s), the later snapshots 5-15 % faster
// (agent CPU -15 to -23 %); the unchanged tree 0.5 -> 0.5-0.6 s (the restart, ~0.1 s of CPU); the
// restore and bench:sync-client's new 100 MiB file no different beyond the noise. (The server
// does not take it: its CPU did not move and its peak RSS rose ~40 MiB — server/README.md.)
// GLIBC_TUNABLES already set, to anything or empty, is left as it is: the user's, a service's,
// or this restart's. Node before 22.15 has no process.execve: it simply runs without.
const MOVERS = new Set(['sync', 'put', 'get']);

export function relaunchWithHugePages() {
  if (process.platform !== 'linux' || typeof process.execve !== 'function') return;
  if (process.env.GLIBC_TUNABLES !== undefined) return;
  if (!process.argv.slice(2).some((a) => MOVERS.has(a))) return;
  if (!process.report?.getReport().header.glibcVersionRuntime) return; // musl reads no glibc tunables
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
}
