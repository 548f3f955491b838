/**
 * Blocks a big file's upload announced are remembered (blocks/held-uploads.ts), and the early
 * fetches of the user's other devices are answered from that memory instead of three statements:
 * only the announcing user's, only announced packs, only for the reservation's life.
 */
import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { PACK_MAGIC, encodeEntryPack } from '@coffer/protocol';
import { HeldUploads } from '../src/blocks/held-uploads.js';
import { quotaReservations } from '../src/db/schema.js';
import { useTestServer } from './fixtures/server.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('HeldUploads', () => {
  it('answers a noted key until its time is up, never longer than the reservation, and keeps at most its cap, oldest going first', () => {
    let now = 1_000;
    const held = new HeldUploads(60_000, 3, () => now);
    held.note([{ key: 'a', size: 10 }], 3_600_000);
    held.note([{ key: 'b', size: 20 }], 5_000); // a reservation shorter than the hold
    expect([held.size('a'), held.size('b'), held.size('c')]).toEqual([10, 20, undefined]);
    now += 5_000;
    expect([held.size('a'), held.size('b')]).toEqual([10, undefined]);
    now += 55_000;
    expect(held.size('a')).toBeUndefined();
    held.note(['k1', 'k2', 'k3', 'k4'].map((key, i) => ({ key, size: i })), 60_000);
    expect(held.count).toBe(3);
    expect(['k1', 'k2', 'k3', 'k4'].map((k) => held.size(k))).toEqual([undefined, 1, 2, 3]);
  });
});

describe('early fetches of announced blocks (postgres)', () => {
  const srv = useTestServer('postgres');

  it('are served from memory — even with the reservations gone — to the announcing user only; a pack not announced is not remembered', async () => {
    const u = await srv.user();
    const other = await srv.user();
    const put = (blocks: Buffer[], query: string) =>
      fetch(`${srv.url}/api/v1/blocks/pack/entries${query}`, {
        method: 'POST',
        headers: { ...u.auth, 'content-type': 'application/octet-stream' },
        body: encodeEntryPack(blocks.map((b) => ({ hash: sha(b), size: b.length, encoding: 'identity' as const, body: b }))),
      });
    const fetchAs = async (auth: Record<string, string>, blocks: Buffer[]) => {
      const res = await fetch(`${srv.url}/api/v1/blocks/fetch`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ hashes: blocks.map(sha) }) });
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.subarray(0, 4).equals(Buffer.from(PACK_MAGIC))).toBe(true);
      return body;
    };
    const announced = [randomBytes(3000), randomBytes(5000)];
    const quiet = [randomBytes(4000)];
    expect((await put(announced, '?file=/big.bin&offset=0&size=8000')).status).toBe(200);
    expect((await put(quiet, '')).status).toBe(200);
    // Both readable by the rule of the statements (a live reservation) at first.
    for (const set of [announced, quiet]) {
      const body = await fetchAs(u.auth, set);
      for (const b of set) expect(body.includes(b)).toBe(true);
    }
    // With the reservations gone the statements say no: only the remembered (announced) blocks are served.
    await srv.database.db.delete(quotaReservations).where(eq(quotaReservations.namespaceId, u.namespaceId));
    const body = await fetchAs(u.auth, announced);
    expect(announced.every((b) => body.includes(b))).toBe(true);
    expect((await fetchAs(u.auth, quiet)).byteLength).toBe(4 + 36); // the magic and PACK_END: nothing
    // Another user asking for the same hashes: nothing (their namespace's keys were never noted).
    expect((await fetchAs(other.auth, announced)).byteLength).toBe(4 + 36);
  });
});
