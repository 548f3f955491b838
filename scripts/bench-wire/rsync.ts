/**
 * rsync, the yardstick of bench:wire: a daemon on 127.0.0.1 (`rsync --daemon --no-detach`) with
 * one writable module, and `rsync -rtz --delete` pushing a folder to it (through the counting
 * proxy, so its bytes are counted like Coffer's).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RsyncDaemon {
  port: number;
  module: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A daemon serving `root` as module `bench`, read-write; `work` holds its config and log. */
export async function rsyncDaemon(root: string, work: string): Promise<RsyncDaemon> {
  const port = await freePort();
  const config = join(work, 'rsyncd.conf');
  await writeFile(
    config,
    [`pid file = ${join(work, 'rsyncd.pid')}`, `log file = ${join(work, 'rsyncd.log')}`, 'use chroot = no', '[bench]', `  path = ${root}`, '  read only = no', '  uid = root', '  gid = root', ''].join('\n'),
  );
  const child: ChildProcess = spawn('rsync', ['--daemon', '--no-detach', `--config=${config}`, `--port=${port}`, '--address=127.0.0.1'], { stdio: 'ignore' });
  // Ready when it accepts connections.
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (i > 100 || child.exitCode !== null) throw new Error('the rsync daemon did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    module: 'bench',
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** `rsync -rtz --delete dir/ rsync://127.0.0.1:port/module/sub/`. */
export async function rsyncPush(dir: string, port: number, module: string, sub: string): Promise<void> {
  await run('rsync', ['-rtz', '--delete', `${dir}/`, `rsync://127.0.0.1:${port}/${module}/${sub}/`], { maxBuffer: 16 * 1024 * 1024 });
}
