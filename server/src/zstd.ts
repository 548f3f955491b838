/**
 * node:zlib's zstd as the server calls it (blocks on the wire, JSON answers); the agent has the
 * same rules (client/src/zstd.ts: a copy, as the parts share only the wire contract, which is
 * browser-safe and has no node:zlib).
 * Two things its defaults get wrong for us, both measured in bench:tree's first snapshot:
 * - Small inputs are done in place, on the event loop: the thread pool's trip cost ~120-200 µs of
 *   CPU a call (a native context made and freed, a stream, callbacks), in place ~25 µs for a
 *   700-byte block, and most blocks of a real folder are that small. Bigger ones, and anything
 *   with a dictionary (a delta's is up to a few MiB), go to the pool and leave the loop free.
 * - The output comes in one chunk where its size is known: at the default 16 KiB a 1 MiB block
 *   took 64 trips between the pool and the loop, ~1 s of the server's ~7 s of CPU there.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** Node 24's zstd takes a `dictionary` (raw content when it is not a trained one); @types/node does not list it yet. */
export type ZstdOptions = zlib.ZstdOptions & { dictionary?: Uint8Array };

/** Inputs (compressing) or outputs (decompressing) up to this size are done in place. */
export const IN_PLACE_BYTES = 64 * 1024;

const compressAsync = promisify(zlib.zstdCompress) as (data: Uint8Array, o: ZstdOptions) => Promise<Buffer<ArrayBuffer>>;
const decompressAsync = promisify(zlib.zstdDecompress) as (data: Uint8Array, o: ZstdOptions) => Promise<Buffer<ArrayBuffer>>;
const compressSync = zlib.zstdCompressSync as (data: Uint8Array, o: ZstdOptions) => Buffer<ArrayBuffer>;
const decompressSync = zlib.zstdDecompressSync as (data: Uint8Array, o: ZstdOptions) => Buffer<ArrayBuffer>;

/** An output chunk for about `bytes` of output: one chunk for the whole answer, up to 16 MiB. */
function outputChunk(bytes: number): number {
  return Math.min(16 * 1024 * 1024, Math.max(64 * 1024, Math.ceil(bytes)));
}

export async function zstdCompress(data: Uint8Array, o: ZstdOptions): Promise<Buffer<ArrayBuffer>> {
  const options = { chunkSize: outputChunk(data.byteLength), ...o };
  return !o.dictionary && data.byteLength <= IN_PLACE_BYTES ? compressSync(data, options) : compressAsync(data, options);
}

/** `expectedBytes`: the output's size when known exactly (a block), else a guess (a JSON answer, a pack). */
export async function zstdDecompress(data: Uint8Array, o: ZstdOptions, expectedBytes: number): Promise<Buffer<ArrayBuffer>> {
  const options = { chunkSize: outputChunk(expectedBytes), ...o };
  return !o.dictionary && expectedBytes <= IN_PLACE_BYTES ? decompressSync(data, options) : decompressAsync(data, options);
}
