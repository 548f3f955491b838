/**
 * The model server (model-server.ts) against the real one: the same scripted calls, by two
 * devices of one account, on both; every answer and every error must be the same once
 * normalised (contract-harness.ts). A difference is a model bug, or a server bug worth fixing.
 * Random histories of the same calls: model-contract-random.test.ts.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, it } from 'vitest';
import { useTestServer } from '@coffer/server/testing/server';
import { encodePack, type BatchCommitItem } from '@coffer/protocol';
import { lockstep, type Lockstep, type Side } from './contract-harness.js';

/** Commit `text` (blocks split at '|') to `path` as device a or b. */
async function commit(x: Side, dev: 'a' | 'b', path: string, text: string, extra: { baseRev?: number | null; fileId?: string; onConflict?: 'fail' | 'copy'; mtime?: number } = {}) {
  const api = x[dev];
  const { blocks, size } = await x.blocks(api, text);
  return api.commit({ path, size, blocks, baseRev: extra.baseRev ?? null, ...extra });
}

describe('the model server answers as the real one', () => {
  const srv = useTestServer('postgres');
  let t: Lockstep | undefined;
  afterEach(() => t?.dispose());

  it('commits: create, update, stale, conflicted copies (numbered), fileId, missing folders, bad block lists', async () => {
    const s = (t = await lockstep(srv));
    const mtime = s.mtime(Date.UTC(2025, 0, 2, 3, 4, 5, 6));
    await s.step('into a folder not made yet', (x) => commit(x, 'a', '/Docs/Report.txt', 'one'));
    await s.step('mkdir /Docs', (x) => x.a.mkdir('/Docs'));
    const one = (await s.step('create', (x) => commit(x, 'a', '/Docs/Report.txt', 'one', { mtime }))).ok;
    await s.step('update with fileId', (x) => commit(x, 'b', '/docs/REPORT.txt', 'two|more', { baseRev: 1, fileId: x.id(one.id) }));
    await s.step('stale', (x) => commit(x, 'a', '/Docs/Report.txt', 'three', { baseRev: 1 }));
    await s.step('stale → copy (keeps mtime)', (x) => commit(x, 'a', '/Docs/Report.txt', 'three', { baseRev: 1, onConflict: 'copy', mtime: s.mtime(Date.UTC(2024, 5, 6)) }));
    await s.step('stale → copy again (numbered)', (x) => commit(x, 'a', '/Docs/Report.txt', 'four', { baseRev: 1, onConflict: 'copy' }));
    await s.step('new file over an existing one', (x) => commit(x, 'b', '/Docs/report.txt', 'five'));
    await s.step('new file over an existing one → copy', (x) => commit(x, 'b', '/Docs/report.txt', 'five', { onConflict: 'copy' }));
    await s.step('wrong fileId', (x) => commit(x, 'a', '/Docs/Report.txt', 'six', { baseRev: 2, fileId: x.id('devA') }));
    await s.step('wrong fileId → copy', (x) => commit(x, 'a', '/Docs/Report.txt', 'six', { baseRev: 2, fileId: x.id('devA'), onConflict: 'copy' }));
    await s.step('fileId without baseRev', (x) => commit(x, 'a', '/Docs/x.txt', 'six', { fileId: x.id(one.id) }));
    await s.step('baseRev on a free path', (x) => commit(x, 'a', '/Docs/free.txt', 'seven', { baseRev: 3 }));
    await s.step('baseRev on a free path → copy (original id null)', (x) => commit(x, 'a', '/Docs/free.txt', 'seven', { baseRev: 3, onConflict: 'copy' }));
    await s.step('baseRev 0 on a free path', (x) => commit(x, 'a', '/Docs/zero.txt', 'eight', { baseRev: 0 }));
    await s.step('into a missing folder', (x) => commit(x, 'a', '/Nope/a.txt', 'x'));
    await s.step('into a missing folder → copy', (x) => commit(x, 'a', '/Nope/a.txt', 'x', { baseRev: 1, onConflict: 'copy' }));
    await s.step('below a file', (x) => commit(x, 'a', '/Docs/Report.txt/a.txt', 'x'));
    await s.step('onto a folder', (x) => commit(x, 'a', '/docs', 'x'));
    await s.step('onto the root', (x) => commit(x, 'a', '/', 'x'));
    await s.step('bad path', (x) => commit(x, 'a', '/a/../b', 'x'));
    await s.step('empty file', (x) => commit(x, 'b', '/empty', ''));
    await s.step('blocks not uploaded', (x) => x.a.commit({ path: '/m.txt', size: 1, blocks: [{ hash: 'ab'.repeat(32), size: 1 }], baseRev: null }));
    await s.step('sizes do not add up', async (x) => x.a.commit({ path: '/m.txt', blocks: (await x.blocks(x.a, 'abc')).blocks, size: 9, baseRev: null }));
    await s.step('a block listed with the wrong size', async (x) => {
      const { blocks } = await x.blocks(x.a, 'abcd');
      return x.a.commit({ path: '/m.txt', size: 5, blocks: [{ hash: blocks[0]!.hash, size: 5 }], baseRev: null });
    });
    await s.step('stale on a deleted file → copy', async (x) => {
      await x.b.delete({ path: '/Docs/zero.txt' });
      return commit(x, 'a', '/Docs/zero.txt', 'nine', { baseRev: 1, onConflict: 'copy' });
    });
    await s.step('list', (x) => x.b.list('/Docs'));
    await s.step('journal', (x) => x.b.changes(0));
  });

  it('mkdir: one, with parents, taken names, missing and file parents', async () => {
    const s = (t = await lockstep(srv));
    await s.step('mkdir', (x) => x.a.mkdir('/A'));
    await s.step('again (other case)', (x) => x.b.mkdir('/a'));
    await s.step('again with parents', (x) => x.b.mkdir('/a', true));
    await s.step('missing parent', (x) => x.a.mkdir('/B/C'));
    await s.step('parents', (x) => x.a.mkdir('/a/B/C', true));
    await s.step('parents, last taken (nothing made)', (x) => x.a.mkdir('/A/b/c', true));
    await s.step('a file on the way', async (x) => {
      await commit(x, 'a', '/A/f', 'f');
      return x.a.mkdir('/a/F/g', true);
    });
    await s.step('a file as parent', (x) => x.a.mkdir('/A/f/g'));
    await s.step('over a file', (x) => x.a.mkdir('/A/F'));
    await s.step('root', (x) => x.a.mkdir('/', true));
    await s.step('bad name', (x) => x.a.mkdir('/A/con.txt'));
    await s.step('trailing dot', (x) => x.a.mkdir('/A/x.'));
    await s.step('ß and SS', async (x) => {
      await x.a.mkdir('/Straße');
      return x.b.mkdir('/STRASSE');
    });
    await s.step('list', (x) => x.a.list('/'));
    await s.step('list a file', (x) => x.a.list('/A/f'));
    await s.step('list nothing', (x) => x.a.list('/nope'));
    await s.step('journal', (x) => x.a.changes(0));
  });

  it('move: files and folders by path and id, case-only renames, taken names, into itself, onto itself', async () => {
    const s = (t = await lockstep(srv));
    const f = (await s.step('file', (x) => commit(x, 'a', '/f.txt', 'f'))).ok;
    const d = (await s.step('folder', (x) => x.a.mkdir('/D/E', true))).ok;
    await s.step('file into folder by path', (x) => x.b.move({ path: '/F.TXT' }, '/d/e/g.txt'));
    await s.step('case-only rename by id', (x) => x.b.move({ id: x.id(f.id) }, '/D/E/G.txt'));
    await s.step('onto itself (no change, no journal)', (x) => x.a.move({ path: '/d/e/g.TXT' }, '/D/E/G.txt'));
    await s.step('onto itself in another case', (x) => x.a.move({ path: '/d/e/g.TXT' }, '/d/e/g.TXT'));
    await s.step('folder by id', (x) => x.a.move({ id: x.id(d.id) }, '/E2'));
    await s.step('folder into itself', (x) => x.a.move({ path: '/E2' }, '/E2/x'));
    await s.step('folder below itself', async (x) => {
      await x.a.mkdir('/E2/sub');
      return x.a.move({ path: '/E2' }, '/e2/SUB/x');
    });
    const h = (await s.step('another file', (x) => commit(x, 'b', '/h.txt', 'h'))).ok;
    await s.step('name taken', (x) => x.a.move({ path: '/h.txt' }, '/e2/g.txt'));
    await s.step('missing source', (x) => x.a.move({ path: '/nope' }, '/x'));
    await s.step('missing source id', (x) => x.a.move({ id: '00000000-0000-4000-8000-0000000000ff' }, '/x'));
    await s.step('bad id', (x) => x.a.move({ id: 'nope' }, '/x'));
    await s.step('missing destination folder', (x) => x.a.move({ path: '/h.txt' }, '/nope/h.txt'));
    await s.step('destination under a file', (x) => x.a.move({ path: '/h.txt' }, '/E2/g.txt/h.txt'));
    await s.step('destination root', (x) => x.a.move({ path: '/h.txt' }, '/'));
    await s.step('source root', (x) => x.a.move({ path: '/' }, '/x'));
    await s.step('trashed by id', async (x) => {
      await x.a.delete({ path: '/h.txt' });
      return x.a.move({ id: x.id(h.id) }, '/h2.txt');
    });
    await s.step('a folder by path into another', (x) => x.b.move({ path: '/e2/sub' }, '/D/sub'));
    await s.step('list', (x) => x.a.list('/E2'));
    await s.step('metadata', (x) => x.a.metadata('/e2/G.TXT'));
    await s.step('stat of a moved-away path', (x) => x.a.stat('/f.txt'));
    await s.step('journal', (x) => x.a.changes(0));
  });

  it('delete: files and folders, rev and recursive conditions, trashed ids, what list and metadata show after', async () => {
    const s = (t = await lockstep(srv));
    const f = (
      await s.step('file', async (x) => {
        await x.a.mkdir('/D');
        return commit(x, 'a', '/D/f.txt', 'f');
      })
    ).ok;
    await s.step('update it', (x) => commit(x, 'b', '/D/f.txt', 'f2', { baseRev: 1 }));
    await s.step('stale rev', (x) => x.a.delete({ path: '/d/F.txt' }, { rev: 1 }));
    await s.step('stale rev by id', (x) => x.a.delete({ id: x.id(f.id) }, { rev: 3 }));
    await s.step('folder not empty', (x) => x.a.delete({ path: '/D' }, { recursive: false }));
    await s.step('folder rev (always 0)', (x) => x.a.delete({ path: '/D' }, { rev: 2, recursive: false }));
    await s.step('metadata unchanged', (x) => x.a.metadata('/D/f.txt'));
    await s.step('file with its rev', (x) => x.a.delete({ id: x.id(f.id) }, { rev: 2, recursive: false }));
    await s.step('trashed by id', (x) => x.a.delete({ id: x.id(f.id) }));
    await s.step('trashed by path', (x) => x.a.delete({ path: '/D/f.txt' }));
    await s.step('stat trashed', (x) => x.b.stat('/D/f.txt'));
    await s.step('revision blocks of trashed', (x) => x.b.revisionBlocks('/D/f.txt'));
    await s.step('empty folder, not recursive', (x) => x.b.delete({ path: '/d' }, { rev: 0, recursive: false }));
    await s.step('a tree', async (x) => {
      await x.a.mkdir('/T/U/V', true);
      await commit(x, 'a', '/T/U/v.txt', 'v');
      await commit(x, 'a', '/T/w.txt', 'w');
      await x.b.delete({ path: '/T/w.txt' });
      return x.b.list('/T');
    });
    await s.step('tree, recursive by default', (x) => x.b.delete({ path: '/t' }));
    await s.step('list of a trashed folder', (x) => x.b.list('/T/U'));
    await s.step('metadata inside it', (x) => x.b.metadata('/T/U/v.txt'));
    await s.step('the name is free again', (x) => x.a.mkdir('/t/u', true));
    await s.step('root', (x) => x.a.delete({ path: '/' }));
    await s.step('missing', (x) => x.a.delete({ path: '/nope' }));
    await s.step('missing id', (x) => x.a.delete({ id: '00000000-0000-4000-8000-0000000000ff' }));
    await s.step('bad id', (x) => x.a.delete({ id: 'nope' }));
    await s.step('bad rev', (x) => x.a.delete({ path: '/t' }, { rev: -1 }));
    await s.step('list root', (x) => x.a.list('/'));
    await s.step('journal', (x) => x.a.changes(0));
  });

  it('journal: paging, cursors, a cursor ahead of the head, long polls', async () => {
    const s = (t = await lockstep(srv));
    await s.step('empty journal', (x) => x.a.changes(0));
    await s.step('latest of an empty journal', (x) => x.a.changesLatest());
    await s.step('a cursor past an empty journal', (x) => x.a.changes(1));
    await s.step('long poll past an empty journal', (x) => x.a.longpoll(1, 30));
    await s.step('some changes', async (x) => {
      await x.a.mkdir('/a/b/c', true);
      await commit(x, 'b', '/a/f', 'f');
      await x.a.move({ path: '/a/f' }, '/a/b/g');
      await x.b.delete({ path: '/a/b' });
      return x.a.changesLatest();
    });
    const p1 = await s.step('page 1', (x) => x.a.changes(0, 2));
    const p2 = await s.step('page 2', (x) => x.b.changes(x.seq(p1.ok.cursor), 2));
    await s.step('page 3', (x) => x.b.changes(x.seq(p2.ok.cursor), 2));
    await s.step('at the head', (x) => x.a.changes(x.seq(6)));
    await s.step('ahead of the head', (x) => x.a.changes(x.seq(6) + 1000));
    await s.step('limit 0', (x) => x.a.changes(0, 0));
    await s.step('limit 2001', (x) => x.a.changes(0, 2001));
    await s.step('negative cursor', (x) => x.a.changes(-1));
    await s.step('long poll behind the head', (x) => x.a.longpoll(x.seq(2), 30));
    await s.step('long poll ahead of the head', (x) => x.b.longpoll(x.seq(6) + 1, 30));
    await s.step('long poll timeout too short', (x) => x.b.longpoll(x.seq(6), 5));
    await s.step('long poll woken by the other device', async (x) => {
      const poll = x.a.longpoll(x.seq(6), 30);
      await x.b.mkdir('/woken');
      return poll;
    });
    await s.step('the change it announced', (x) => x.a.changes(x.seq(6)));
  });

  it('batches: packs, a batch commit whose files succeed and fail on their own, block lists by id, fetched blocks', async () => {
    const s = (t = await lockstep(srv));
    const hash = (text: string) => createHash('sha256').update(text).digest('hex');
    const block = (text: string) => ({ hash: hash(text), size: Buffer.byteLength(text) });
    const pack = (...texts: string[]) => encodePack(texts.map((x) => ({ hash: hash(x), bytes: Buffer.from(x) })));
    const batch = (x: Parameters<Parameters<typeof s.step>[1]>[0], files: BatchCommitItem[]) => x.a.commitBatch!(files);
    await s.step('mkdir /B', (x) => x.a.mkdir('/B'));
    await s.step('pack', (x) => x.a.putPack!(pack('p1', 'p2', 'p1')));
    await s.step('pack again', (x) => x.b.putPack!(pack('p2', 'p3')));
    await s.step('pack, a wrong hash (nothing stored)', (x) => x.a.putPack!(Buffer.concat([pack('p4'), Buffer.from(pack('p5')).subarray(4).fill(7, 0, 32)])));
    await s.step('pack, not a pack', (x) => x.a.putPack!(Buffer.from('nope')));
    await s.step('missing after the packs', (x) => x.a.missingBlocks([hash('p1'), hash('p4'), hash('p5')]));
    const first = (
      await s.step('batch: new files, a name twice, a missing folder, a missing block, an empty file', (x) =>
        batch(x, [
          { path: '/B/one.txt', size: 2, blocks: [block('p1')], baseRev: null, onConflict: 'copy', mtime: 1_700_000_000_000 },
          { path: '/B/two.txt', size: 4, blocks: [block('p2'), block('p3')], baseRev: null },
          { path: '/B/ONE.txt', size: 2, blocks: [block('p2')], baseRev: null, onConflict: 'copy' },
          { path: '/B/dup.txt', size: 2, blocks: [block('p1')], baseRev: null },
          { path: '/B/dup.txt', size: 2, blocks: [block('p2')], baseRev: null },
          { path: '/Nope/x.txt', size: 2, blocks: [block('p1')], baseRev: null, onConflict: 'copy' },
          { path: '/B/m.txt', size: 2, blocks: [block('p4')], baseRev: null },
          { path: '/B/e', size: 0, blocks: [], baseRev: null },
        ]),
      )
    ).ok as { ok: boolean; file?: { id: string } }[];
    const one = first[0]!.file!.id;
    const two = first[1]!.file!.id;
    await s.step('batch: an update by id, a stale one kept as a copy, a stale one refused', (x) =>
      batch(x, [
        { path: '/B/one.txt', size: 2, blocks: [block('p3')], baseRev: 1, fileId: x.id(one), onConflict: 'copy' },
        { path: '/B/one.txt', size: 2, blocks: [block('p2')], baseRev: 1, fileId: x.id(one), onConflict: 'copy' },
        { path: '/B/two.txt', size: 2, blocks: [block('p2')], baseRev: 0 },
      ]),
    );
    await s.step('batch, a bad name among good ones', (x) => batch(x, [{ path: '/B/con.txt', size: 2, blocks: [block('p1')], baseRev: null }, { path: '/B/ok.txt', size: 2, blocks: [block('p1')], baseRev: null }]));
    await s.step('journal', (x) => x.b.changes(0));
    await s.step('trash two.txt', (x) => x.b.delete({ path: '/B/two.txt' }));
    await s.step('block lists: head, a revision, a trashed file, a folder, no such revision, no such id', (x) =>
      x.b.blockLists!([{ id: x.id(one) }, { id: x.id(one), rev: 1 }, { id: x.id(two), rev: 1 }, { id: x.id('id1') }, { id: x.id(one), rev: 9 }, { id: x.id('nothing') }]),
    );
    await s.step('fetch: each readable block once, in the order asked; the unreadable left out', async (x) => {
      const got: { hash: string; size: number }[] = [];
      for await (const b of x.b.fetchBlocks!([hash('p3'), hash('p1'), hash('p4'), hash('zz'), hash('p1')])) got.push({ hash: b.hash, size: b.bytes.byteLength });
      return got;
    });
  });

  it('blocks and revisions: missing, put, get, revision block lists', async () => {
    const s = (t = await lockstep(srv));
    const hash = (text: string) => createHash('sha256').update(text).digest('hex');
    await s.step('missing (duplicates, order)', (x) => x.a.missingBlocks([hash('b'), hash('a'), hash('b')]));
    await s.step('missing, a bad hash', (x) => x.a.missingBlocks(['xyz']));
    await s.step('put, wrong hash', (x) => x.a.putBlock(hash('a'), Buffer.from('b')));
    await s.step('put, empty', (x) => x.a.putBlock(hash(''), Buffer.alloc(0)));
    await s.step('put, bad hash', (x) => x.a.putBlock('nope', Buffer.from('a')));
    await s.step('put', (x) => x.a.putBlock(hash('a'), Buffer.from('a')));
    await s.step('put again', (x) => x.b.putBlock(hash('a'), Buffer.from('a')));
    await s.step('missing after put (any case)', (x) => x.b.missingBlocks([hash('a').toUpperCase(), hash('b')]));
    await s.step('get, not in any version', (x) => x.a.getBlock(hash('a')));
    await s.step('get, bad hash', (x) => x.a.getBlock('nope'));
    await s.step('commit two blocks', (x) => commit(x, 'a', '/f', 'a|bc'));
    await s.step('commit a second revision', (x) => commit(x, 'b', '/f', 'bc|d|a', { baseRev: 1 }));
    await s.step('get', (x) => x.b.getBlock(hash('bc')));
    await s.step('revision blocks, head', (x) => x.b.revisionBlocks('/F'));
    await s.step('revision blocks, rev 1', (x) => x.b.revisionBlocks('/f', 1));
    await s.step('revision blocks, rev 3', (x) => x.b.revisionBlocks('/f', 3));
    await s.step('revision blocks, rev 0', (x) => x.b.revisionBlocks('/f', 0));
    await s.step('revision blocks of a folder', async (x) => {
      await x.a.mkdir('/dir');
      return x.a.revisionBlocks('/dir');
    });
    await s.step('revision blocks of nothing', (x) => x.a.revisionBlocks('/nope'));
    await s.step('revision blocks of the root', (x) => x.a.revisionBlocks('/'));
    await s.step('a trashed file’s blocks stay readable', async (x) => {
      await x.a.delete({ path: '/f' });
      return x.a.getBlock(hash('d'));
    });
  });

  it('names: case and Unicode normalisation, one entry whatever the spelling', async () => {
    const s = (t = await lockstep(srv));
    const nfc = 'Caf\u00e9';
    const nfd = 'Cafe\u0301';
    await s.step('NFD folder', (x) => x.a.mkdir(`/${nfd}`));
    await s.step('NFC is the same folder', (x) => x.b.mkdir(`/${nfc}`));
    await s.step('file in it by NFC, upper case', (x) => commit(x, 'b', `/${nfc.toUpperCase()}/Read.ME`, 'r'));
    await s.step('another case is the same file', (x) => commit(x, 'a', `/${nfd}/READ.me`, 'r2'));
    await s.step('… as a copy', (x) => commit(x, 'a', `/${nfd}/READ.me`, 'r2', { onConflict: 'copy' }));
    await s.step('update through any spelling', (x) => commit(x, 'a', `/${nfd.toLowerCase()}/read.me`, 'r3', { baseRev: 1 }));
    await s.step('metadata by NFD', (x) => x.a.metadata(`/${nfd}/read.ME`));
    await s.step('case-only rename of the folder', (x) => x.a.move({ path: `/${nfd}` }, `/${nfd.toUpperCase()}`));
    await s.step('list', (x) => x.b.list(`/${nfc.toLowerCase()}`));
    await s.step('the root listing', async (x) => {
      await commit(x, 'a', '/b', 'b');
      await commit(x, 'a', '/A', 'a');
      await x.a.mkdir('/z');
      await x.a.mkdir('/Y');
      await commit(x, 'a', '/\u00e4', 'u');
      return x.a.list('/');
    });
    await s.step('journal', (x) => x.b.changes(0));
  });
});
