/** The event socket's entries, kept for a pass's catch-up (sync/socket-backlog.ts): used only when they cover everything after the cursor. */
import { describe, expect, it } from 'vitest';
import type { ChangeEntry } from '@coffer/protocol';
import { SocketBacklog } from '../src/sync/socket-backlog.js';

const entry = (seq: number): ChangeEntry => ({ seq, op: 'create', fileId: `f${seq}`, rev: 1, name: `n${seq}`, deviceId: null, at: new Date(0).toISOString() });
const seqs = (es: ChangeEntry[] | undefined) => es?.map((e) => e.seq);

describe('SocketBacklog', () => {
  it('hands nothing over before the socket delivered its backlog, nor after it closed', () => {
    const b = new SocketBacklog();
    expect(b.take(0)).toBeUndefined(); // never opened
    b.opened(10);
    b.add(entry(11));
    expect(b.take(10)).toBeUndefined(); // not synced yet: the stream may still be catching up
    b.synced();
    expect(seqs(b.take(10))).toEqual([11]);
    b.add(entry(12));
    b.lost();
    expect(b.take(11)).toBeUndefined();
  });

  it('covers only cursors at or after where the socket resumed', () => {
    const b = new SocketBacklog();
    b.opened(10);
    b.synced();
    b.add(entry(11));
    b.add(entry(12));
    expect(b.take(9)).toBeUndefined(); // entry 10 was never on this socket
    expect(seqs(b.take(11))).toEqual([12]); // 11 already applied (a catch-up that asked the server)
    expect(seqs(b.take(12))).toEqual([]); // live and nothing new: no round trip either
    b.add(entry(13));
    expect(seqs(b.take(15))).toEqual([]); // the cursor went past it by asking
    b.add(entry(14)); // older than the cursor taken: ignored
    b.add(entry(16));
    expect(seqs(b.take(15))).toEqual([16]);
  });

  it('drops what nobody took past its bound, and is usable again once the cursor passes the drop', () => {
    const b = new SocketBacklog();
    b.opened(0);
    b.synced();
    for (let s = 1; s <= 5_001; s++) b.add(entry(s));
    expect(b.take(0)).toBeUndefined();
    expect(b.take(4_000)).toBeUndefined();
    b.add(entry(5_002));
    expect(seqs(b.take(5_001))).toEqual([5_002]);
  });
});
