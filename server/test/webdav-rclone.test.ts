/**
 * rclone (Debian) as a real WebDAV client: a tree with names full of spaces, '#', '?', '%',
 * non-ASCII and emoji goes to Coffer and back, `rclone check --download` finds 0 differences,
 * and a second copy after one file changed sends only that file. Both of rclone's flavours:
 * vendor=other on the 2,000 files, vendor=nextcloud (X-OC-Mtime kept, which takes the
 * commit's general path) on a smaller tree. Debian's rclone 1.60 spaces its WebDAV calls at least
 * 10 ms apart (its pacer; no flag changes it) and makes three per file uploaded (MKCOL, PUT,
 * PROPFIND), so the 2,000 files take about a minute each way whatever the server does (it answers
 * each in 1-5 ms); the suite takes about two minutes.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { run, startDavServer, type DavServer } from './fixtures/webdav.js';

let s: DavServer;
let dir: TempDir;
beforeAll(async () => {
  s = await startDavServer();
  dir = await makeTempDir('coffer-rclone-');
});
afterAll(async () => {
  await s?.close();
  await dir?.remove();
});

/** `files` files in folders of 100, each name hard in its own way. */
async function makeTree(root: string, files: number): Promise<string[]> {
  const made: string[] = [];
  for (let i = 0; i < files; i++) {
    const folder = `dir ${Math.floor(i / 100)} #% ü 📁`;
    const name = [`plain ${i}.txt`, `hash #${i}.txt`, `what ${i}?.md`, `100%41 ${i}%.bin`, `ünïcødé Ωμέγα ${i}`, `emoji 😀🎉 ${i}.txt`, `mixed [${i}] & (x) + ; = ,.dat`][i % 7]!;
    await mkdir(join(root, folder), { recursive: true });
    await writeFile(join(root, folder, name), `file ${i}\n${'x'.repeat(i % 97)}`);
    made.push(join(folder, name));
  }
  return made;
}

function remote(vendor: string): Record<string, string> {
  return {
    RCLONE_CONFIG_COFFER_TYPE: 'webdav',
    RCLONE_CONFIG_COFFER_URL: s.dav,
    RCLONE_CONFIG_COFFER_VENDOR: vendor,
    RCLONE_CONFIG_COFFER_USER: s.username,
    RCLONE_CONFIG_COFFER_PASS: '', // set below, obscured
    RCLONE_CONFIG: '/dev/null',
  };
}

async function rclone(env: Record<string, string>, ...args: string[]) {
  return run('rclone', [...args, '--transfers', '16', '--checkers', '16', '--retries', '1', '--low-level-retries', '1'], { env, timeoutMs: 240_000 });
}

async function listFiles(root: string): Promise<string[]> {
  const out = await readdir(root, { recursive: true, withFileTypes: true });
  return out.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();
}

describe.each([
  { vendor: 'other', files: 2000 },
  { vendor: 'nextcloud', files: 210 },
])('rclone vendor=$vendor', ({ vendor, files }) => {
  it(`copies ${files} files there and back, checks 0 differences, and a second copy sends one changed file`, { timeout: 400_000 }, async () => {
    const env = remote(vendor);
    env.RCLONE_CONFIG_COFFER_PASS = (await run('rclone', ['obscure', s.password])).stdout.trim();
    const src = join(dir.path, `${vendor}-src`);
    const back = join(dir.path, `${vendor}-back`);
    const names = await makeTree(src, files);

    const t0 = Date.now();
    const phase = (what: string) => console.log(`rclone ${vendor} ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const up = await rclone(env, 'copy', src, `coffer:${vendor}`);
    phase('copy up');
    expect(up.code, up.stderr).toBe(0);
    const check = await rclone(env, 'check', '--download', src, `coffer:${vendor}`);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).toContain('0 differences found');
    expect(check.stderr).toContain(`${files} matching files`);
    phase('check --download');

    const down = await rclone(env, 'copy', `coffer:${vendor}`, back);
    expect(down.code, down.stderr).toBe(0);
    phase('copy back');
    expect(await listFiles(back)).toEqual([...names].sort());
    for (const n of [names[0]!, names[3]!, names[5]!, names.at(-1)!]) {
      expect(await readFile(join(back, n), 'utf8')).toBe(await readFile(join(src, n), 'utf8'));
    }

    // One file changes (size too: vendor=other compares sizes only): only it travels.
    await writeFile(join(src, names[4]!), 'changed, and longer than before\n');
    const again = await rclone(env, 'copy', '-v', src, `coffer:${vendor}`);
    expect(again.code, again.stderr).toBe(0);
    phase('second copy');
    const copied = again.stderr.split('\n').filter((l) => /: Copied \(/.test(l));
    expect(copied).toHaveLength(1);
    expect(copied[0]).toContain(names[4]!.split('/').at(-1)!);
    // Sizes (and for nextcloud modification times) agree again; the bytes were checked above.
    const recheck = await rclone(env, 'check', src, `coffer:${vendor}`);
    expect(recheck.stderr).toContain('0 differences found');
  });
});
