/**
 * Questions the server said it keeps (POST /blocks/missing?keep=1, issue 21), remembered by the
 * client that asked: a commit whose blocks are exactly one of them, in order, names its id
 * (`blockList`) instead of listing the hashes again. A few, the latest: an upload asks and commits
 * within moments.
 */
const KEPT = 8;

export class KeptLists {
  /** Id → the hashes asked, joined; oldest first. */
  readonly #lists = new Map<string, string>();

  remember(id: string, hashes: readonly string[]): void {
    this.#lists.set(id, hashes.join(','));
    while (this.#lists.size > KEPT) this.#lists.delete(this.#lists.keys().next().value!);
  }

  /** The id of the list that is exactly these blocks' hashes, in order. */
  find(blocks: readonly { hash: string }[]): string | undefined {
    if (this.#lists.size === 0 || blocks.length < KEEP_FROM_HASHES) return undefined;
    const joined = blocks.map((b) => b.hash.toLowerCase()).join(',');
    for (const [id, hashes] of this.#lists) if (hashes === joined) return id;
    return undefined;
  }

  forget(id: string): void {
    this.#lists.delete(id);
  }
}

/** Below this many blocks a commit lists them: naming a list (~50 bytes with its id on both sides) saves little or nothing. */
export const KEEP_FROM_HASHES = 3;
