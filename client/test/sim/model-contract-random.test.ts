/**
 * Random histories for the model contract (model-contract.test.ts has the scripted ones): fast-check
 * generates sequences of the calls a sync agent makes — commits with and without baseRev, fileId and
 * copies, folders, moves and deletes by path and id with conditions, lookups, journal pages — by two
 * devices, over a few names that collide by case and Unicode normalisation; each is applied to the
 * real server and to the model in lockstep and their normalised answers compared after every step.
 * COFFER_CONTRACT_SEED and COFFER_CONTRACT_RUNS explore further than the fixed default.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { useTestServer } from '@coffer/server/testing/server';
import type { FileView } from '@coffer/protocol';
import type { SyncApi } from '../../src/sync/sync-api.js';
import { lockstep, type Side } from './contract-harness.js';

/** Names that collide: by case, by NFC/NFD, and one that does not. */
const NAMES = ['a.txt', 'A.TXT', 'b', 'B', 'Caf\u00e9', 'Cafe\u0301', 'c.md'];
const name = fc.constantFrom(...NAMES);
/** Mostly shallow, so parents often exist. */
const newPath = fc
  .oneof({ weight: 5, arbitrary: fc.tuple(name) }, { weight: 4, arbitrary: fc.tuple(name, name) }, { weight: 1, arbitrary: fc.tuple(name, name, name) })
  .map((s) => `/${s.join('/')}`);
/** A path: new, or one the answers named so far (`@k`), maybe with a name added below it (`@k/name`). */
const path = fc.oneof(
  newPath,
  fc.tuple(fc.nat(8), fc.option(name, { nil: undefined, freq: 3 })).map(([k, n]) => `@${k}${n === undefined ? '' : `/${n}`}`),
);
const dev = fc.constantFrom<'a' | 'b'>('a', 'b');
/** An id by its symbol's number in the answers so far (an unknown number names nothing). */
const idRef = fc.nat(8);
/** Something that probably exists: a path an answer named lately, or an id. */
const seenPath = fc.nat(8).map((k) => `@${k}`);
const ref = fc.oneof(
  { weight: 3, arbitrary: seenPath.map((p) => ({ path: p })) },
  { weight: 1, arbitrary: path.map((p) => ({ path: p })) },
  { weight: 2, arbitrary: idRef.map((k) => ({ id: k })) },
);
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
const text = fc.constantFrom('one', 'two|2', 'three', '');

const op = fc.oneof(
  // What an agent sends: a new file (baseRev null), or an edit of what it last saw (stat → baseRev and fileId).
  { weight: 4, arbitrary: fc.record({ k: fc.constant('commit' as const), dev, path, text, edit: fc.boolean(), copy: fc.boolean() }) },
  // Two devices edit what they both saw; the second loses (409, or a copy).
  { weight: 2, arbitrary: fc.record({ k: fc.constant('race' as const), path, text, copy: fc.boolean() }) },
  // Anything else: a stale or wrong base, a wrong entry.
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('blind' as const), dev, path, text, baseRev: fc.constantFrom(null, 0, 1, 2), fileId: optional(idRef), copy: fc.boolean() }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('mkdir' as const), dev, path, parents: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('move' as const), dev, from: ref, to: path }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('delete' as const), dev, ref, rev: optional(fc.integer({ min: 0, max: 2 })), recursive: optional(fc.boolean()) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('list' as const), path: fc.oneof(fc.constant('/'), seenPath, path) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('revisionBlocks' as const), path: fc.oneof(seenPath, path), rev: optional(fc.integer({ min: 1, max: 3 })) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('changes' as const), rank: fc.nat(12), limit: fc.integer({ min: 1, max: 5 }) }) },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

interface Put {
  path: string;
  text: string;
  baseRev: number | null;
  fileId?: string;
  copy: boolean;
}

async function put(x: Side, api: SyncApi, p: Put) {
  const { blocks, size } = await x.blocks(api, p.text);
  return api.commit({ path: p.path, size, blocks, baseRev: p.baseRev, ...(p.fileId !== undefined ? { fileId: p.fileId } : {}), onConflict: p.copy ? 'copy' : 'fail' });
}

/** The base an agent names for `path`: what stat shows (none: a new file). */
async function seen(api: SyncApi, path: string): Promise<{ baseRev: number | null; fileId?: string }> {
  const v = await api.stat(path);
  return v && !v.isDir ? { baseRev: v.rev, fileId: v.id } : { baseRev: null };
}

async function apply(x: Side, op: Op): Promise<unknown> {
  const id = (k: number) => x.idAt(k);
  const at = (p: string) => p.replace(/^@(\d+)/, (_, k: string) => x.pathAt(Number(k), '/a.txt'));
  const o = { ...op, ...('path' in op ? { path: at(op.path) } : {}), ...('to' in op ? { to: at(op.to) } : {}) } as Op;
  if (o.k === 'move' && 'path' in o.from) o.from = { path: at(o.from.path) };
  if (o.k === 'delete' && 'path' in o.ref) o.ref = { path: at(o.ref.path) };
  switch (o.k) {
    case 'commit':
      return put(x, x[o.dev], { ...o, ...(o.edit ? await seen(x[o.dev], o.path) : { baseRev: null }) });
    case 'race': {
      const [sa, sb] = [await seen(x.a, o.path), await seen(x.b, o.path)];
      const first = await put(x, x.a, { ...o, ...sa, copy: false });
      return [first, await put(x, x.b, { ...o, text: o.text ? `${o.text}|b` : 'b', ...sb })];
    }
    case 'blind':
      return put(x, x[o.dev], { path: o.path, text: o.text, baseRev: o.baseRev, copy: o.copy, ...(o.fileId !== undefined ? { fileId: id(o.fileId) } : {}) });
    case 'mkdir':
      return x[o.dev].mkdir(o.path, o.parents);
    case 'move':
      return x[o.dev].move('id' in o.from ? { id: id(o.from.id) } : o.from, o.to);
    case 'delete':
      return x[o.dev].delete('id' in o.ref ? { id: id(o.ref.id) } : o.ref, { ...(o.rev !== undefined ? { rev: o.rev } : {}), ...(o.recursive !== undefined ? { recursive: o.recursive } : {}) });
    case 'list':
      return x.a.list(o.path);
    case 'revisionBlocks':
      return x.a.revisionBlocks(o.path, o.rev);
    case 'changes':
      return x.b.changes(x.seq(o.rank), o.limit);
  }
}

/** The whole live tree, depth first. */
async function tree(api: SyncApi, path = '/'): Promise<FileView[]> {
  const out: FileView[] = [];
  for (const e of await api.list(path)) out.push(e, ...(e.isDir ? await tree(api, e.path) : []));
  return out;
}

describe('the model server answers as the real one, in random histories', () => {
  const srv = useTestServer('postgres');

  it('agrees after every step of generated histories of two devices', async () => {
    const seed = Number(process.env.COFFER_CONTRACT_SEED ?? 13);
    const numRuns = Number(process.env.COFFER_CONTRACT_RUNS ?? 14);
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 8, maxLength: 30 }), async (ops) => {
        const t = await lockstep(srv);
        try {
          for (const [i, o] of ops.entries()) await t.step(`${i}: ${JSON.stringify(o)}`, (x) => apply(x, o));
          await t.step('the tree', (x) => tree(x.b));
          await t.step('the journal', (x) => x.a.changes(0));
        } finally {
          t.dispose();
        }
      }),
      { seed, numRuns },
    );
  }, 240_000);
});
