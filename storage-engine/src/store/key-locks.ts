/**
 * One operation at a time per block key, within this process. Repair, verify, drain, rebalance,
 * tiering and delete each read a block's record, change shards and write the record back; two of
 * them interleaved on one block would lose one's update or delete the other's new copy.
 * (Across server instances the job queue hands a block to one worker; relocations also check
 * the block's generation.)
 */
export class KeyLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // The last in line cleans up, so the map holds only keys with work pending.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
