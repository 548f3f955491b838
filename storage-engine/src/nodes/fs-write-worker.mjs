// Durable writes for FsNode, on a worker thread: one message per object instead of eight
// event-loop round trips (open, write, datasync, close, rename, and a directory fsync).
// Plain JavaScript so the thread starts without a TypeScript loader.
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writevSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

// The writer's view of the arena FsNode copies objects into (fs-writer.ts).
const arena = new Uint8Array(workerData.arena);

function syncDir(dir) {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// mkdir -p below the root (never the root itself: a vanished root is a lost disk), then fsync
// every directory a new entry was made in.
function makeParents(root, dir) {
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {}
  if (!isDir) throw Object.assign(new Error(`directory ${root} is missing`), { code: 'ENOROOT' });
  const first = mkdirSync(dir, { recursive: true });
  if (first === undefined) return;
  const created = relative(dirname(first), dir).split(sep);
  let at = dirname(first);
  syncDir(at);
  for (const part of created.slice(0, -1)) {
    at = join(at, part);
    syncDir(at);
  }
}

function put({ root, path, parts, tempMark }) {
  const tmp = `${path}${tempMark}${randomBytes(6).toString('hex')}`;
  let fd;
  try {
    fd = openSync(tmp, 'wx');
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    makeParents(root, dirname(tmp));
    fd = openSync(tmp, 'wx');
  }
  try {
    try {
      writeAll(fd, parts);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {}
    throw err;
  }
  syncDir(dirname(path));
}

// writev until every part is written (a short write resumes where it stopped).
function writeAll(fd, parts) {
  let rest = parts.filter((p) => p.length > 0);
  while (rest.length > 0) {
    let n = writevSync(fd, rest);
    while (rest.length > 0 && n >= rest[0].length) n -= rest.shift().length;
    if (rest.length > 0 && n > 0) rest[0] = rest[0].subarray(n);
  }
}

// Bytes come as spans of the shared arena, or (when it was full) as a moved copy, which goes
// back with the answer so this thread holds nothing between writes.
parentPort.on('message', (msg) => {
  const parts = msg.data ? [msg.data] : msg.spans.map(([offset, length]) => arena.subarray(offset, offset + length));
  const back = msg.data ? [msg.data.buffer] : [];
  const reply = msg.data ? { id: msg.id, data: msg.data } : { id: msg.id };
  try {
    put({ root: msg.root, path: msg.path, tempMark: msg.tempMark, parts });
    parentPort.postMessage(reply, back);
  } catch (err) {
    parentPort.postMessage({ ...reply, code: err.code ?? 'EIO', message: err.message }, back);
  }
});
