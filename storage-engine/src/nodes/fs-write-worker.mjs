// Durable writes for FsNode, on a worker thread: one message per object instead of eight
// event-loop round trips (open, write, datasync, close, rename, and a directory fsync).
// Plain JavaScript so the thread starts without a TypeScript loader.
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { parentPort } from 'node:worker_threads';

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

function put({ root, path, data, tempMark }) {
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
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
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

// The bytes go back with the answer (moved, not copied), so this thread holds nothing between
// writes: it allocates too little to garbage-collect often.
parentPort.on('message', (msg) => {
  const back = [msg.data.buffer];
  try {
    put(msg);
    parentPort.postMessage({ id: msg.id, data: msg.data }, back);
  } catch (err) {
    parentPort.postMessage({ id: msg.id, data: msg.data, code: err.code ?? 'EIO', message: err.message }, back);
  }
});
