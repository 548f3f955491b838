/**
 * bench:tree's corpus: five snapshots of published files, each input pinned by its exact version
 * and the SHA-256 of the file the registry or the Debian mirror serves (no random data). A
 * snapshot is the typescript and rxjs npm tarballs unpacked under the package's name (so the next
 * snapshot replaces the same paths and few files change) and three Debian packages kept as
 * `.deb` files under `debs/NAME.deb`. Versions move on from one snapshot to the next, but not all
 * at once, so that deduplication matters. Everything is cached below `cache` (tarballs in `tgz/`,
 * packages in `deb/`, unpacked trees in `snapshot-N/`).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** npm tarballs (`name@version`, SHA-256 of the .tgz). */
const NPM: Record<string, string> = {
  'typescript@5.4.5': '154fae77169f04155ac52d521ac59abb07c9be29ea3744732adbf9f14abb2440',
  'typescript@5.5.4': '2680b6354d462a1d90a2cf10c790e071f1c45081c9d4561cb47ce23c934d8586',
  'typescript@5.6.3': 'ef67f8d8ad895858024b7339d3e34bf112cae3c5db1f538c3079038b17ae30fa',
  'typescript@5.7.3': '80cfca1254bab8e81d639178e42d6406d856fba6e34cad60d1ab50ee6e5f7ebb',
  'typescript@5.8.3': '72e75dbeb92c2e6eb9a34cb59d74fab5c2ee6f32a0324a89405f6165d5a08374',
  'rxjs@7.8.0': '693b37ffcde839f6026c822b66bfac187c10673c89c4325f32c61eefedb15480',
  'rxjs@7.8.1': 'c532167725ab7d085123209156c93cef22f2479cb9c8527060f1cd903aa9d149',
  'rxjs@7.8.2': '2312f8ffd9726ffd7bd53ea12c5f13663d09a3dc3326f448c70b88f5ef6fac82',
};

/** Debian bookworm amd64 packages (`name=version` as apt-get download takes it, SHA-256 of the .deb). */
const DEB: Record<string, string> = {
  'chromium=150.0.7871.100-1~deb12u1': '9eb054fb52bbcd7a8c6407484be2337298ff8b1e19af14af2e7b497fa190ce4f',
  'chromium=156.0.8078.129-1~deb12u1': '8c973a18ae01920bc33dc20fdb73e27d027a7b1ad75eaa7227c615ea0718d535',
  'postgresql-15=15.18-0+deb12u1': '6974c43ddec4f383d099e7d642cd59d0af83c2c90c0fb153a4179aa1bb4d73c1',
  'postgresql-15=15.20-0+deb12u1': '8566850f295c2cb5034ff5dd5b40caf97eea81b75a841c8d1f691c05ab8815db',
  'libssl3=3.0.17-1~deb12u2': 'd97c29db9d9d1d125580be5d7b2e1170adb47e5a8b4481841718be95fa652e68',
  'libssl3=3.0.20-1~deb12u2': '89be24b41bff568ee6e7caf5680a3d808e80315ed92e407056ce0fa7a5bda025',
  'libssl3=3.0.22-1~deb12u2': 'cb4784740daa9b3b0eaea2b444bbefa686794afbbf3d678d238c1fd9875f2efd',
};

/** Each snapshot's inputs: [typescript, rxjs, chromium, postgresql-15, libssl3]. */
const SNAPSHOTS: string[][] = [
  ['typescript@5.4.5', 'rxjs@7.8.0', 'chromium=150.0.7871.100-1~deb12u1', 'postgresql-15=15.18-0+deb12u1', 'libssl3=3.0.17-1~deb12u2'],
  ['typescript@5.5.4', 'rxjs@7.8.1', 'chromium=150.0.7871.100-1~deb12u1', 'postgresql-15=15.18-0+deb12u1', 'libssl3=3.0.20-1~deb12u2'],
  ['typescript@5.6.3', 'rxjs@7.8.1', 'chromium=156.0.8078.129-1~deb12u1', 'postgresql-15=15.18-0+deb12u1', 'libssl3=3.0.20-1~deb12u2'],
  ['typescript@5.7.3', 'rxjs@7.8.2', 'chromium=156.0.8078.129-1~deb12u1', 'postgresql-15=15.20-0+deb12u1', 'libssl3=3.0.22-1~deb12u2'],
  ['typescript@5.8.3', 'rxjs@7.8.2', 'chromium=156.0.8078.129-1~deb12u1', 'postgresql-15=15.20-0+deb12u1', 'libssl3=3.0.22-1~deb12u2'],
];

export interface Snapshot {
  name: string;
  dir: string;
  inputs: string[];
  files: number;
  bytes: number;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

async function checked(what: string, path: string, want: string | undefined): Promise<void> {
  const got = await sha256File(path);
  if (got !== want) throw new Error(`${what}: SHA-256 ${got}, pinned ${want ?? '(none)'} — the file at ${path} is not the pinned one (delete it to fetch again)`);
}

const exists = (p: string) => stat(p).then(() => true, () => false);

export async function npmTarball(cache: string, spec: string): Promise<string> {
  const dir = join(cache, 'tgz');
  const tgz = join(dir, `${spec.replace('@', '-')}.tgz`);
  if (!(await exists(tgz))) {
    await mkdir(dir, { recursive: true });
    try {
      const { stdout } = await run('npm', ['pack', spec, '--silent', '--pack-destination', dir]);
      const packed = join(dir, stdout.trim().split('\n').at(-1)!);
      if (packed !== tgz) await rename(packed, tgz);
    } catch (err) {
      throw new Error(`cannot fetch the pinned npm package ${spec} (npm pack): ${(err as Error).message}`);
    }
  }
  await checked(spec, tgz, NPM[spec]);
  return tgz;
}

/** The .deb through apt (`apt-get download name=version`, from the mirrors in the apt sources). */
export async function debianPackage(cache: string, spec: string): Promise<string> {
  const dir = join(cache, 'deb');
  const [name, version] = spec.split('=') as [string, string];
  const deb = join(dir, `${name}_${version.replace(/^\d+:/, '')}_amd64.deb`);
  if (!(await exists(deb))) {
    await mkdir(dir, { recursive: true });
    try {
      await run('apt-get', ['download', spec], { cwd: dir });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(
        `cannot fetch the pinned Debian package ${spec} (apt-get download): ${(e.stderr || e.message).trim()}\n` +
          `The mirror may no longer carry this version (bookworm point releases and security updates replace them): pin one it has (apt-cache madison ${name}).`,
      );
    }
  }
  await checked(spec, deb, DEB[spec]);
  return deb;
}

/** A tree's files: path relative to `dir` and size. */
async function filesOf(dir: string): Promise<{ rel: string; size: number }[]> {
  const entries = (await readdir(dir, { withFileTypes: true, recursive: true })).filter((e) => e.isFile());
  return Promise.all(entries.map(async (e) => ({ rel: relative(dir, join(e.parentPath, e.name)), size: (await stat(join(e.parentPath, e.name))).size })));
}

/** Builds (or finds in the cache) the five snapshot trees, every input checked by SHA-256. */
export async function buildCorpus(cache: string): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  for (const [i, inputs] of SNAPSHOTS.entries()) {
    const name = `snapshot ${i + 1}`;
    const dir = join(cache, `snapshot-${i + 1}`);
    const building = `${dir}.building`;
    const tgzs: [string, string][] = [];
    const debs: [string, string][] = [];
    for (const spec of inputs) {
      if (spec.includes('@')) tgzs.push([spec, await npmTarball(cache, spec)]);
      else debs.push([spec, await debianPackage(cache, spec)]);
    }
    if (!(await exists(dir))) {
      await rm(building, { recursive: true, force: true });
      for (const [spec, tgz] of tgzs) {
        // Under the package's name, not its version: the next snapshot replaces the same files.
        const to = join(building, spec.slice(0, spec.lastIndexOf('@')));
        await mkdir(to, { recursive: true });
        await run('tar', ['xzf', tgz, '-C', to]);
      }
      await mkdir(join(building, 'debs'), { recursive: true });
      for (const [spec, deb] of debs) await cp(deb, join(building, 'debs', `${spec.split('=')[0]}.deb`));
      await rename(building, dir);
    }
    const files = await filesOf(dir);
    out.push({ name, dir, inputs, files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) });
  }
  return out;
}

/** One digest of a tree's relative paths and contents (files only; `skip` leaves top-level names out). */
export async function treeDigest(dir: string, skip: string[] = []): Promise<{ digest: string; files: number }> {
  const paths = (await filesOf(dir)).map((f) => f.rel).filter((rel) => !skip.includes(rel.split('/')[0]!));
  paths.sort();
  const h = createHash('sha256');
  for (const p of paths) h.update(`${p}\0${await sha256File(join(dir, p))}\n`);
  return { digest: h.digest('hex'), files: paths.length };
}

/**
 * `from` copied to `to`, replacing what `to` held except the names in `keep` (the sync agent's
 * `.coffer` state: without it every sync would be a first one, merging the old snapshot's files
 * back in instead of deleting them): a snapshot put in place in a user's folder.
 */
export async function placeTree(from: string, to: string, keep: string[] = []): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of await readdir(to)) if (!keep.includes(name)) await rm(join(to, name), { recursive: true, force: true });
  await cp(from, to, { recursive: true });
}
