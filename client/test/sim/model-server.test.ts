/**
 * The model on its own: deterministic (same calls, same answers and ids), driven by the clock it is
 * given (long polls time out on it, conflicted copies carry its day), and inspectable after a
 * history (live tree, every version ever committed with its bytes). Its agreement with the real
 * server is model-contract*.test.ts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SyncApi } from '../../src/sync/sync-api.js';
import { ModelServer } from './model-server.js';
import type { ModelClock } from './model-sources.js';

/** A clock that moves only when told to, firing due timers in order. */
class ManualClock implements ModelClock {
  #now = Date.UTC(2031, 6, 14, 23, 59);
  #timers: { at: number; fn: () => void }[] = [];
  now() {
    return this.#now;
  }
  setTimer(ms: number, fn: () => void) {
    const t = { at: this.#now + ms, fn };
    this.#timers.push(t);
    return () => void (this.#timers = this.#timers.filter((x) => x !== t));
  }
  advance(ms: number) {
    this.#now += ms;
    for (const t of this.#timers.filter((x) => x.at <= this.#now).sort((a, b) => a.at - b.at)) {
      this.#timers = this.#timers.filter((x) => x !== t);
      t.fn();
    }
  }
}

async function write(api: SyncApi, path: string, text: string, baseRev: number | null = null, onConflict: 'fail' | 'copy' = 'fail') {
  const bytes = Buffer.from(text);
  const hash = createHash('sha256').update(bytes).digest('hex');
  if ((await api.missingBlocks([hash])).has(hash)) await api.putBlock(hash, bytes);
  return api.commit({ path, size: bytes.length, blocks: [{ hash, size: bytes.length }], baseRev, onConflict });
}

async function history(clock: ManualClock) {
  const model = new ModelServer({ clock });
  const a = model.api(model.addDevice('Laptop'));
  const b = model.api(model.addDevice('Phone'));
  const answers: unknown[] = [];
  answers.push(await a.mkdir('/Docs/Old', true));
  answers.push(await write(a, '/Docs/a.txt', 'one'));
  clock.advance(60_000); // past midnight UTC: the copy is from the next day
  answers.push(await write(b, '/Docs/a.txt', 'two', 1));
  answers.push(await write(a, '/Docs/a.txt', 'three', 1, 'copy'));
  answers.push(await write(a, '/Docs/Old/gone.txt', 'gone'));
  await b.delete({ path: '/Docs/Old' });
  answers.push(await a.changes(0));
  return { model, a, b, answers };
}

describe('the model server', () => {
  it('answers the same calls the same way, ids and times included', async () => {
    const one = await history(new ManualClock());
    const two = await history(new ManualClock());
    expect(two.answers).toEqual(one.answers);
    // Ids from one counter: the devices took 1 and 2, then /Docs and /Docs/Old.
    expect(one.answers[0]).toMatchObject({ id: '00000000-0000-4000-8000-000000000004', parentId: '00000000-0000-4000-8000-000000000003' });
    // The copy's name carries the clock's day, not the machine's.
    expect(one.answers[3]).toMatchObject({ conflict: true, path: '/Docs/a (conflicted copy from Laptop 2031-07-15).txt', modifiedAt: '2031-07-15T00:00:00.000Z' });
  });

  it('shows the live tree and every version ever committed, trashed files’ included', async () => {
    const { model } = await history(new ManualClock());
    expect([...model.liveTree().entries()].map(([p, e]) => `${p} ${e.isDir ? 'dir' : e.rev}`)).toEqual([
      '/Docs dir',
      '/Docs/a (conflicted copy from Laptop 2031-07-15).txt 1',
      '/Docs/a.txt 2',
    ]);
    const versions = model.allVersions().map((v) => `${v.path}@${v.rev}${v.head ? ' head' : ''}${v.trashed ? ' trashed' : ''}: ${model.contentOf(v).toString()}`);
    expect(versions).toEqual([
      '/Docs/a.txt@1: one',
      '/Docs/a.txt@2 head: two',
      '/Docs/a (conflicted copy from Laptop 2031-07-15).txt@1 head: three',
      '/Docs/Old/gone.txt@1 head trashed: gone',
    ]);
  });

  it('answers a long poll at the next journal entry, or when its timeout passes on the model’s clock', async () => {
    const clock = new ManualClock();
    const { model, a, b } = await history(clock);
    const head = model.head();
    expect(await a.longpoll(head - 1, 30)).toEqual({ changes: true });

    let answered: unknown;
    void a.longpoll(head, 30).then((r) => (answered = r));
    await Promise.resolve();
    clock.advance(29_999);
    await new Promise((r) => setImmediate(r));
    expect(answered).toBeUndefined();
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(answered).toEqual({ changes: false });

    const woken = a.longpoll(head, 60);
    const seen: number[] = [];
    const stop = model.onJournal((seq) => seen.push(seq));
    await b.mkdir('/new');
    stop();
    await b.mkdir('/newer');
    expect(await woken).toEqual({ changes: true });
    expect(seen).toEqual([head + 1]);
    // A woken poll leaves no timer behind to fire later.
    clock.advance(120_000);
  });
});
