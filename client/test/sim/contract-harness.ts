/**
 * Running one script against the real server and the model in lockstep: each step is called on
 * both, and their answers (or ApiErrors) must be equal once normalised — ids become symbols in
 * order of appearance, journal positions become ranks, timestamps are dropped (unless they are a
 * commit's mtime), error messages are not compared (status, code and details are).
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { journalOf, seedDevice } from '@coffer/server/testing/seed';
import type { TestServer } from '@coffer/server/testing/server';
import { CofferApi } from '../../src/api/client.js';
import { ApiError } from '../../src/api/errors.js';
import type { BlockRef } from '@coffer/protocol';
import type { SyncApi } from '../../src/sync/sync-api.js';
import { ModelServer } from './model-server.js';

export const DEVICE_NAMES = { a: 'Laptop', b: 'Phone' } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEQ_KEYS = new Set(['seq', 'cursor', 'latestCursor']);
const TIME_KEYS = new Set(['createdAt', 'modifiedAt', 'trashedAt', 'at']);

/** One server under test, seen through two devices of one account. */
export class Side {
  readonly #symbols = new Map<string, string>();
  readonly #raw = new Map<string, string>();
  /** The account's journal seqs, ascending (the real server's are global, so not 1, 2, 3…). */
  #seqs: number[] = [];

  constructor(
    readonly name: 'real' | 'model',
    readonly a: SyncApi,
    readonly b: SyncApi,
    devices: { a: string; b: string },
    private readonly readSeqs: () => Promise<number[]>,
    private readonly close: () => void,
  ) {
    this.#name(devices.a, 'devA');
    this.#name(devices.b, 'devB');
  }

  /** Paths the answers so far named, in order of appearance (the same on both sides while they agree). */
  readonly paths: string[] = [];

  /** This side's id for a symbol the normalised answers gave ('id3'); unknown symbols give a uuid nothing has. */
  id(symbol: string): string {
    return this.#raw.get(symbol) ?? '00000000-0000-4000-8000-00000000ffff';
  }

  /** The k-th most recent entry id the answers named, counting round (random histories pick among what exists). */
  idAt(k: number): string {
    const n = this.#symbols.size - 2; // devA and devB are not entries
    return this.id(n > 0 ? `id${n - (k % n)}` : 'none');
  }

  /** The k-th most recent path the answers named, counting round. */
  pathAt(k: number, fallback: string): string {
    const n = this.paths.length;
    return n > 0 ? this.paths[n - 1 - (k % n)]! : fallback;
  }

  /** This side's cursor for a normalised journal position (0: the start; past the last entry: ahead of the head by as much). */
  seq(rank: number): number {
    if (rank === 0) return 0;
    return rank <= this.#seqs.length ? this.#seqs[rank - 1]! : (this.#seqs.at(-1) ?? 0) + rank - this.#seqs.length;
  }

  /** Put `text` as blocks (one per `|`-separated piece) through `api`, as an agent uploads: ask, then PUT what is missing. */
  async blocks(api: SyncApi, text: string): Promise<{ blocks: BlockRef[]; size: number }> {
    const pieces = text === '' ? [] : text.split('|').map((p) => Buffer.from(p));
    const blocks = pieces.map((p) => ({ hash: createHash('sha256').update(p).digest('hex'), size: p.byteLength }));
    const missing = await api.missingBlocks(blocks.map((b) => b.hash));
    for (const [i, p] of pieces.entries()) if (missing.delete(blocks[i]!.hash)) await api.putBlock(blocks[i]!.hash, p);
    return { blocks, size: pieces.reduce((n, p) => n + p.byteLength, 0) };
  }

  /** The outcome of a call, normalised: its answer, or `{ error: {status, code, details} }`. */
  async outcome(call: (x: Side) => Promise<unknown>, mtimes: ReadonlySet<string>): Promise<unknown> {
    let raw: unknown;
    try {
      raw = { ok: await call(this) };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // A 400's zod issues are worded by each side's own schema: the code says enough.
      raw = { error: { status: err.status, code: err.code, details: err.code === 'invalid_request' ? undefined : err.details } };
    }
    this.#seqs = await this.readSeqs();
    return this.#normalise(raw, undefined, mtimes);
  }

  dispose(): void {
    this.close();
  }

  #normalise(v: unknown, key: string | undefined, mtimes: ReadonlySet<string>): unknown {
    if (v === undefined) return '(none)';
    if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('utf8') };
    if (v instanceof Set) return [...v].map((x) => this.#normalise(x, undefined, mtimes));
    if (Array.isArray(v)) return v.map((x) => this.#normalise(x, undefined, mtimes));
    if (typeof v === 'number' && key !== undefined && SEQ_KEYS.has(key)) return this.#rank(v);
    if (typeof v === 'string' && key !== undefined && TIME_KEYS.has(key)) return mtimes.has(v) ? v : '(time)';
    if (typeof v === 'string' && key === 'path') this.#sawPath(v);
    if (typeof v === 'string' && UUID.test(v)) return this.#symbols.get(v) ?? this.#name(v, `id${this.#symbols.size - 1}`);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.#normalise(x, k, mtimes)]));
    }
    return v;
  }

  /** How many of the account's journal entries are at or before `seq`: the same number on both sides. */
  #rank(seq: number): number | string {
    if (seq === 0) return 0;
    const rank = this.#seqs.filter((s) => s <= seq).length;
    return this.#seqs[rank - 1] === seq ? rank : `(past entry ${rank})`;
  }

  /** Most recent last, each once. */
  #sawPath(path: string): void {
    const i = this.paths.indexOf(path);
    if (i >= 0) this.paths.splice(i, 1);
    this.paths.push(path);
  }

  #name(raw: string, symbol: string): string {
    this.#symbols.set(raw, symbol);
    this.#raw.set(symbol, raw);
    return symbol;
  }
}

/** The real server (in process, real HTTP) with a fresh account and two signed-in devices. */
export async function realSide(srv: TestServer): Promise<Side> {
  const user = await srv.user();
  // Signed in without checking the password twice more per history.
  const [da, db] = [await seedDevice(srv, user, DEVICE_NAMES.a), await seedDevice(srv, user, DEVICE_NAMES.b)];
  const [a, b] = [new CofferApi(srv.url, { insecureHttp: true }, da.token), new CofferApi(srv.url, { insecureHttp: true }, db.token)];
  const readSeqs = async () => (await journalOf(srv, user)).map((r) => r.seq);
  return new Side('real', a, b, { a: da.id, b: db.id }, readSeqs, () => {
    a.close();
    b.close();
  });
}

/** A fresh model with the same two devices (its clock the machine's, so conflicted copies carry the same day). */
export function modelSide(): Side {
  const model = new ModelServer();
  const ids = { a: model.addDevice(DEVICE_NAMES.a), b: model.addDevice(DEVICE_NAMES.b) };
  const readSeqs = async () => model.journal().map((e) => e.seq);
  return new Side('model', model.api(ids.a), model.api(ids.b), ids, readSeqs, () => {});
}

/** Both sides, stepped together; every step's normalised outcome must match. */
export class Lockstep {
  readonly log: { label: string; outcome: unknown }[] = [];
  readonly #mtimes = new Set<string>();

  constructor(
    readonly real: Side,
    readonly model: Side,
  ) {}

  /** An mtime a script passes to a commit: kept in the normalised answers, so the model must keep it too. */
  mtime(ms: number): number {
    this.#mtimes.add(new Date(ms).toISOString());
    return ms;
  }

  /** Call on the real server, then the model; fail at the first difference. Answers the normalised outcome. */
  async step(label: string, call: (x: Side) => Promise<unknown>): Promise<any> {
    const real = await this.real.outcome(call, this.#mtimes);
    const model = await this.model.outcome(call, this.#mtimes);
    const history = this.log.map((l) => l.label).join('\n  ');
    expect(model, `step "${label}" after:\n  ${history}\nreal server answered ${JSON.stringify(real)}`).toEqual(real);
    this.log.push({ label, outcome: real });
    return real;
  }

  dispose(): void {
    // COFFER_CONTRACT_LOG=1 prints what each step answered (on both sides alike), to read a script's coverage.
    if (process.env.COFFER_CONTRACT_LOG) for (const l of this.log) console.log(`${l.label}: ${JSON.stringify(l.outcome)}`);
    this.real.dispose();
    this.model.dispose();
  }
}

export async function lockstep(srv: TestServer): Promise<Lockstep> {
  return new Lockstep(await realSide(srv), modelSide());
}
