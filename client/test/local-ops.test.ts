/**
 * The agent's local steps on a real disk (node-fs.ts + local-ops.ts), with the native rename and
 * with its fallback: a replace never clobbers an edit or a new file, a move never replaces, and a
 * crash's leftovers are put right at the next start.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/sync/clock.js';
import type { LocalFs, LocalStat } from '../src/sync/local-fs.js';
import { LocalOps, TMP_DIR } from '../src/sync/local-ops.js';
import { nodeFs } from '../src/sync/node-fs.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

for (const nativeRename of [true, false]) {
  describe(`local steps on a real disk (${nativeRename ? 'native rename' : 'link + unlink fallback'})`, () => {
    const dir = useTempDir('coffer-localops-', { each: true });
    let fs: LocalFs;
    let ops: LocalOps;
    const lines: string[] = [];
    const p = (rel: string) => join(dir(), rel);
    const st = async (rel: string) => (await fs.lstat(rel)) as LocalStat;
    const temp = async (content: string) => {
      const t = await ops.newTemp();
      await writeFile(p(t), content);
      return t;
    };

    beforeEach(async () => {
      fs = nodeFs(dir(), { nativeRename });
      ops = new LocalOps(fs, systemClock, 'laptop', (l) => lines.push(l));
    });

    it('replace puts new content in place of the expected file, and of nothing where nothing was', async () => {
      await writeFile(p('a.txt'), 'old');
      expect(await ops.replace('a.txt', await temp('new'), await st('a.txt'))).toBe(true);
      expect(await readFile(p('a.txt'), 'utf8')).toBe('new');
      expect(await ops.replace('sub/b.txt', await temp('b'), undefined)).toBe(true);
      expect(await readFile(p('sub/b.txt'), 'utf8')).toBe('b');
      expect(await readdir(p(TMP_DIR))).toEqual([]);
    });

    it('replace leaves an edit made since the decision, and a file created meanwhile, where they are', async () => {
      await writeFile(p('a.txt'), 'old');
      const seen = await st('a.txt');
      await writeFile(p('a.txt'), 'edited by the user, longer');
      const t = await temp('new');
      expect(await ops.replace('a.txt', t, seen)).toBe(false);
      expect(await readFile(p('a.txt'), 'utf8')).toBe('edited by the user, longer');
      expect(await readFile(p(t), 'utf8')).toBe('new'); // still there for the caller to discard
      await writeFile(p('c.txt'), 'made by the user');
      expect(await ops.replace('c.txt', await temp('download'), undefined)).toBe(false);
      expect(await readFile(p('c.txt'), 'utf8')).toBe('made by the user');
    });

    it('move never replaces; removeFile deletes only the file it expects', async () => {
      await writeFile(p('a.txt'), 'a');
      await writeFile(p('b.txt'), 'b');
      expect(await ops.move('a.txt', 'b.txt')).toBe(false);
      expect(await readFile(p('b.txt'), 'utf8')).toBe('b');
      expect(await ops.move('a.txt', 'x/c.txt')).toBe(true);
      expect(await readFile(p('x/c.txt'), 'utf8')).toBe('a');
      const seen = await st('b.txt');
      await writeFile(p('b.txt'), 'b, edited');
      expect(await ops.removeFile('b.txt', seen)).toBe(false);
      expect(await readFile(p('b.txt'), 'utf8')).toBe('b, edited');
      expect(await ops.removeFile('b.txt', await st('b.txt'))).toBe(true);
      await expect(stat(p('b.txt'))).rejects.toThrow();
    });

    it('after a crash, a file taken aside comes back, unless its place holds newer content and it was the synced one', async () => {
      await writeFile(p('a.txt'), 'synced a');
      await writeFile(p('b.txt'), 'edited b');
      const a = await st('a.txt');
      await fs.mkdir('.coffer');
      await fs.mkdir(TMP_DIR);
      // A replace of a.txt interrupted after the take; a delete of b.txt interrupted likewise.
      await writeFile(p(`${TMP_DIR}/1.op`), JSON.stringify({ op: 'replace', path: 'a.txt' }));
      await fs.rename('a.txt', `${TMP_DIR}/1.bak`);
      await writeFile(p(`${TMP_DIR}/2.op`), JSON.stringify({ op: 'delete', path: 'b.txt' }));
      await fs.rename('b.txt', `${TMP_DIR}/2.bak`);
      await writeFile(p('b.txt'), 'a new b.txt the user made since');
      await writeFile(p(`${TMP_DIR}/3.part`), 'a download never placed');
      await ops.recover((rel, s) => rel === 'a.txt' && s.ino === a.ino);
      expect(await readFile(p('a.txt'), 'utf8')).toBe('synced a');
      expect(await readFile(p('b.txt'), 'utf8')).toBe('a new b.txt the user made since');
      const kept = (await readdir(dir())).find((n) => n.startsWith('b (conflicted copy from laptop'));
      expect(kept && (await readFile(p(kept), 'utf8'))).toBe('edited b');
      expect(await readdir(p(TMP_DIR))).toEqual([]);
    });
  });
}
