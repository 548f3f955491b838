/**
 * Typed calls of the Coffer API (server/API.md) on top of HttpClient: what the CLI and a sync
 * agent need. Every answer is validated; errors are ApiError with the server's message.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { HttpClient, readAll, type RequestOptions } from './http.js';
import type { Trust } from './pinned-agent.js';
import type { CommitRequest, DeleteCondition, EntryRef, SyncApi } from '../sync/sync-api.js';
import * as T from './types.js';

/** A path, or an entry named by path or id. */
const ref = (r: string | EntryRef): EntryRef => (typeof r === 'string' ? { path: r } : r);

export class CofferApi implements SyncApi {
  readonly http: HttpClient;

  constructor(url: string, trust: Trust, token?: string) {
    this.http = new HttpClient(url, trust, token);
  }

  async #get<S extends z.ZodType>(schema: S, method: string, path: string, o?: RequestOptions): Promise<z.infer<S>> {
    const raw = await this.http.json(method, path, o);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      throw new Error(`unexpected answer from the server for ${method} ${path} (${why}); is this a Coffer server?`);
    }
    return parsed.data;
  }

  login(username: string, password: string, deviceName: string) {
    return this.#get(T.LoginAnswer, 'POST', '/auth/login', { json: { username, password, device: { name: deviceName, kind: 'cli' } } });
  }
  async logout(): Promise<void> {
    await this.http.json('POST', '/auth/logout');
  }
  me() {
    return this.#get(T.Me, 'GET', '/me');
  }
  devices() {
    return this.#get(T.Devices, 'GET', '/devices');
  }
  adminUsers() {
    return this.#get(T.AdminUsers, 'GET', '/admin/users');
  }

  /** All of a folder's children (follows the cursor through every page). */
  async list(path: string, sort: 'name' | 'modified' | 'size' = 'name'): Promise<T.FileView[]> {
    const all: T.FileView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#get(T.Listing, 'GET', '/list', { query: { path, limit: 1000, sort, cursor } });
      all.push(...page.entries);
      cursor = page.cursor;
    } while (cursor);
    return all;
  }
  metadata(path: string) {
    return this.#get(T.FileView, 'GET', '/metadata', { query: { path } });
  }
  /** The entry at path, or undefined when there is none (404). */
  async stat(path: string): Promise<T.FileView | undefined> {
    try {
      return await this.metadata(path);
    } catch (err) {
      if ((err as { status?: number }).status === 404) return undefined;
      throw err;
    }
  }
  mkdir(path: string, parents = false) {
    return this.#get(T.FileView, 'POST', '/mkdir', { json: { path, parents } });
  }
  move(from: string | EntryRef, to: string) {
    const r = ref(from);
    return this.#get(T.FileView, 'POST', '/move', { json: 'id' in r ? { id: r.id, to } : { from: r.path, to } });
  }
  async delete(target: string | EntryRef, cond: DeleteCondition = {}): Promise<void> {
    await this.http.json('POST', '/delete', { json: { ...ref(target), ...cond } });
  }
  revisions(path: string, limit = 100) {
    return this.#get(T.Revisions, 'GET', '/revisions', { query: { path, limit } });
  }
  restore(path: string, rev: number) {
    return this.#get(T.FileView, 'POST', '/revisions/restore', { json: { path, rev } });
  }

  /** The hashes the server lacks, asked in batches (the server takes at most 10,000 at once). */
  async missingBlocks(hashes: string[]): Promise<Set<string>> {
    const missing = new Set<string>();
    for (let i = 0; i < hashes.length; i += 10_000) {
      const ans = await this.#get(T.Missing, 'POST', '/blocks/missing', { json: { hashes: hashes.slice(i, i + 10_000) } });
      for (const h of ans.missing) missing.add(h);
    }
    return missing;
  }
  async putBlock(hash: string, bytes: Uint8Array): Promise<void> {
    const res = await this.http.stream('PUT', `/blocks/${hash}`, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    res.resume();
    await new Promise((r) => res.once('end', r));
  }
  /** One block's bytes (at most 4 MiB); readable when a version the caller may read has it. */
  async getBlock(hash: string): Promise<Buffer> {
    return readAll(await this.http.stream('GET', `/blocks/${hash}`, { headers: { accept: 'application/octet-stream' } }));
  }
  commit(c: CommitRequest) {
    return this.#get(T.CommitAnswer, 'POST', '/files/commit', { json: c });
  }
  /** The bytes of a file (head or a revision); the caller consumes the stream. */
  download(path: string, opts: { rev?: number; headers?: Record<string, string> } = {}): Promise<IncomingMessage> {
    return this.http.stream('GET', '/download', { query: { path, rev: opts.rev }, headers: opts.headers, accept: [304] });
  }

  /** A revision's ordered block list (head when rev is omitted). */
  revisionBlocks(path: string, rev?: number) {
    return this.#get(T.RevisionBlocks, 'GET', '/revisions/blocks', { query: { path, rev } });
  }
  /** One page of the journal after `cursor`; 410 `reset` when the cursor cannot be served. */
  changes(cursor: number, limit = 1000) {
    return this.#get(T.ChangePage, 'GET', '/changes', { query: { cursor, limit } });
  }
  changesLatest() {
    return this.#get(T.LatestCursor, 'GET', '/changes/latest');
  }
  /** Held by the server until something follows `cursor` or `timeoutS` passes. */
  longpoll(cursor: number, timeoutS = 60) {
    return this.#get(T.LongPoll, 'GET', '/changes/longpoll', { query: { cursor, timeout: timeoutS }, idleTimeoutMs: (timeoutS + 30) * 1000 });
  }

  close(): void {
    this.http.close();
  }
}
