/**
 * `--stats FILE`: cumulative block counters of this process, appended as one JSON line after
 * every block sent or received. Counted when the server acknowledged the PUT (or the GET body
 * arrived) and written synchronously, so a SIGKILL loses no acknowledged block from the count:
 * tests sum the last line of each process to prove a restarted agent sent nothing twice.
 */
import { appendFileSync } from 'node:fs';
import type { SyncApi } from './sync-api.js';

export function countBlocksTo(api: Pick<SyncApi, 'putBlock' | 'putBlockEncoded' | 'putPackEntries' | 'getBlock' | 'getBlockEncoded' | 'fetchBlocks'>, file: string): void {
  // blockBytesSent counts plaintext, however the block travelled; blockWireBytesSent what its bodies took (issue 21).
  const c = { pid: process.pid, blocksSent: 0, blockBytesSent: 0, blockWireBytesSent: 0, blocksReceived: 0, blockBytesReceived: 0 };
  const write = () => appendFileSync(file, JSON.stringify(c) + '\n');
  const put = api.putBlock.bind(api);
  const get = api.getBlock.bind(api);
  api.putBlock = async (hash, bytes) => {
    await put(hash, bytes);
    c.blocksSent++;
    c.blockBytesSent += bytes.byteLength;
    c.blockWireBytesSent += bytes.byteLength;
    write();
  };
  const putEncoded = api.putBlockEncoded?.bind(api);
  if (putEncoded) {
    api.putBlockEncoded = async (hash, body, q) => {
      await putEncoded(hash, body, q);
      c.blocksSent++;
      c.blockBytesSent += q.size;
      c.blockWireBytesSent += body.byteLength;
      write();
    };
  }
  const putEntries = api.putPackEntries?.bind(api);
  if (putEntries) {
    // A file's blocks in one entry pack (issue 21): each counted as if PUT on its own.
    api.putPackEntries = async (entries, announce) => {
      const stored = await putEntries(entries, announce);
      for (const e of entries) {
        c.blocksSent++;
        c.blockBytesSent += e.size;
        c.blockWireBytesSent += e.body.byteLength;
      }
      write();
      return stored;
    };
  }
  api.getBlock = async (hash) => {
    const bytes = await get(hash);
    c.blocksReceived++;
    c.blockBytesReceived += bytes.byteLength;
    write();
    return bytes;
  };
  const getEncoded = api.getBlockEncoded?.bind(api);
  if (getEncoded) {
    // A block that came compressed or as a delta counts its plaintext, like one sent that way.
    api.getBlockEncoded = async (hash, bases) => {
      const r = await getEncoded(hash, bases);
      c.blocksReceived++;
      c.blockBytesReceived += r.size;
      write();
      return r;
    };
  }
  const fetch = api.fetchBlocks?.bind(api);
  // Blocks fetched in batches (issue 20) count as they arrive, each verified, like a GET's body.
  if (fetch) {
    api.fetchBlocks = async function* (hashes) {
      for await (const b of fetch(hashes)) {
        c.blocksReceived++;
        c.blockBytesReceived += b.bytes.byteLength;
        write();
        yield b;
      }
    };
  }
  write();
}
