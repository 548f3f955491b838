/**
 * The peer tool of `npm run bench:sync-client`: two Syncthing instances (the Debian package's
 * `syncthing`) on 127.0.0.1 sharing one folder, watcher delay 1 s (its default is 10 s), with
 * discovery, relays, NAT traversal, usage reporting and upgrades off: nothing leaves loopback.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SyncthingPeer {
  dir: string;
  home: string;
  gui: number;
  listen: number;
  id: string;
  apikey: string;
  child?: ChildProcess;
  log: string;
}

export interface SyncthingPair {
  a: SyncthingPeer;
  b: SyncthingPeer;
  stop(): Promise<void>;
}

const FOLDER = 'bench';

function generate(home: string): { id: string } {
  const r = spawnSync('syncthing', ['generate', `--home=${home}`, '--no-default-folder', '--skip-port-probing'], { encoding: 'utf8' });
  const id = /Device ID: (\S+)/.exec(r.stdout + r.stderr)?.[1];
  if (r.status !== 0 || !id) throw new Error(`syncthing generate failed: ${r.stderr || r.stdout}`);
  return { id };
}

/** The generated config, made loopback-only, with the peer and the shared folder added. */
async function configure(me: SyncthingPeer, peer: SyncthingPeer): Promise<void> {
  const file = join(me.home, 'config.xml');
  let x = await readFile(file, 'utf8');
  const set = (tag: string, value: string) => (x = x.replace(new RegExp(`<${tag}>[^<]*</${tag}>`, 'g'), `<${tag}>${value}</${tag}>`));
  set('listenAddress', `tcp://127.0.0.1:${me.listen}`);
  for (const t of ['globalAnnounceEnabled', 'localAnnounceEnabled', 'relaysEnabled', 'natEnabled', 'startBrowser', 'crashReportingEnabled']) set(t, 'false');
  set('urAccepted', '-1');
  set('autoUpgradeIntervalH', '0');
  x = x.replace(/(<gui [^>]*>\s*<address>)[^<]*(<\/address>)/, `$1127.0.0.1:${me.gui}$2`);
  me.apikey = /<apikey>([^<]+)<\/apikey>/.exec(x)![1]!;
  const folder =
    `<folder id="${FOLDER}" label="${FOLDER}" path="${me.dir}" type="sendreceive" rescanIntervalS="3600" fsWatcherEnabled="true" fsWatcherDelayS="1" ignorePerms="false" autoNormalize="true">\n` +
    `  <filesystemType>basic</filesystemType>\n  <device id="${me.id}"></device>\n  <device id="${peer.id}"></device>\n</folder>\n` +
    `<device id="${peer.id}" name="peer" compression="metadata" introducer="false" skipIntroductionRemovals="false"><address>tcp://127.0.0.1:${peer.listen}</address></device>\n`;
  x = x.replace(/<gui /, `${folder}<gui `);
  await writeFile(file, x);
}

async function rest<T>(p: SyncthingPeer, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${p.gui}${path}`, { headers: { 'X-API-Key': p.apikey } });
  if (!res.ok) throw new Error(`syncthing ${path}: ${res.status}`);
  return (await res.json()) as T;
}

async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs: number, logs: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`syncthing: ${what} timed out\n${logs().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Two instances sharing `base`/st-a and `base`/st-b, connected and idle. */
export async function syncthingPair(base: string, port0: number): Promise<SyncthingPair> {
  const peer = (name: string, i: number): SyncthingPeer => ({ dir: join(base, `st-${name}`), home: join(base, `st-${name}-home`), gui: port0 + i * 2, listen: port0 + i * 2 + 1, id: '', apikey: '', log: '' });
  const a = peer('a', 0);
  const b = peer('b', 1);
  for (const p of [a, b]) {
    await mkdir(join(p.dir, '.stfolder'), { recursive: true });
    p.id = generate(p.home).id;
  }
  await configure(a, b);
  await configure(b, a);
  for (const p of [a, b]) {
    const c = spawn('syncthing', ['serve', `--home=${p.home}`, '--no-browser', '--no-restart', '--logflags=0'], { env: { ...process.env, STNOUPGRADE: '1', STNODEFAULTFOLDER: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (d: Buffer) => (p.log = (p.log + d).slice(-20_000)));
    c.stderr!.on('data', (d: Buffer) => (p.log = (p.log + d).slice(-20_000)));
    p.child = c;
  }
  const logs = () => `A:\n${a.log}\nB:\n${b.log}`;
  await waitUntil('connecting', async () => (await rest<{ connections: Record<string, { connected: boolean }> }>(a, '/rest/system/connections')).connections[b.id]?.connected === true, 60_000, logs);
  for (const p of [a, b]) await waitUntil('the folder going idle', async () => (await rest<{ state: string }>(p, `/rest/db/status?folder=${FOLDER}`)).state === 'idle', 60_000, logs);
  return {
    a,
    b,
    async stop() {
      for (const p of [a, b]) {
        const c = p.child;
        if (!c || c.exitCode !== null) continue;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await exited;
      }
      for (const p of [a, b]) await rm(p.home, { recursive: true, force: true });
    },
  };
}
