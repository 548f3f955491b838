/**
 * Questions the server keeps (`POST /blocks/missing?keep=1`, issue 21): the hashes a client asked
 * about, in order, by a random id, so that the commit of exactly those blocks names the id
 * (`blockList`) instead of listing the hashes a second time — ~550 bytes of a 17 MiB file's
 * upgrade, the hashes being incompressible.
 *
 * In memory, for a few minutes, bounded: an upload asks and commits within seconds to minutes. A
 * list forgotten (expired, pushed out, another server process, a restart) costs the client one
 * more commit with its blocks listed (409 `block_list_unknown`): nothing is lost, so nothing here
 * needs to be durable. A list is found only by the namespace that asked: an id guessed or seen
 * elsewhere names nothing for anyone else.
 */
import { randomBytes } from 'node:crypto';

/** How long a question is kept: an upload's read, its packs and its commit fit well within it. */
const KEEP_MS = 10 * 60_000;
/** Hashes kept at most, all lists together (~100 bytes each, ~5 MB in all): the oldest lists go first. */
const MAX_HASHES = 50_000;
/** A longer question is not kept (its commit lists the blocks): the agent keeps a file's blocks up
 *  to 24 MiB (a few dozen), and a few long lists must not push out everyone else's. */
export const MAX_KEPT_LIST = 1000;

interface Kept {
  namespaceId: string;
  hashes: readonly string[];
  until: number;
}

export class KeptLists {
  /** Id → list, oldest first (a Map keeps insertion order). */
  readonly #lists = new Map<string, Kept>();
  #hashes = 0;

  constructor(
    private readonly keepMs = KEEP_MS,
    private readonly maxHashes = MAX_HASHES,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keep `hashes` (lowercase hex, as asked) for `namespaceId`; the id to name them by (none past MAX_KEPT_LIST). */
  keep(namespaceId: string, hashes: readonly string[]): string | undefined {
    if (hashes.length > MAX_KEPT_LIST) return undefined;
    const id = randomBytes(12).toString('base64url');
    this.#lists.set(id, { namespaceId, hashes, until: this.now() + this.keepMs });
    this.#hashes += hashes.length;
    this.#trim();
    return id;
  }

  /** The hashes kept under `id` for `namespaceId`, or undefined (never kept, forgotten, or another namespace's). */
  find(namespaceId: string, id: string): readonly string[] | undefined {
    const kept = this.#lists.get(id);
    if (!kept || kept.namespaceId !== namespaceId) return undefined;
    if (kept.until <= this.now()) {
      this.#drop(id, kept);
      return undefined;
    }
    return kept.hashes;
  }

  get size(): number {
    return this.#lists.size;
  }

  /** Forget every list, as a restart does. */
  clear(): void {
    this.#lists.clear();
    this.#hashes = 0;
  }

  #drop(id: string, kept: Kept): void {
    this.#lists.delete(id);
    this.#hashes -= kept.hashes.length;
  }

  /** Past the cap the oldest go; expired ones at the front go too. */
  #trim(): void {
    const now = this.now();
    for (const [id, kept] of this.#lists) {
      if (this.#hashes <= this.maxHashes && kept.until > now) break;
      this.#drop(id, kept);
    }
  }
}

/** The process's own. */
export const keptLists = new KeptLists();
