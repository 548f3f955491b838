/**
 * A File or Blob as its blocks, cut exactly as the server and the CLI cut (the protocol's FastCDC):
 * read in slices, never whole, so a 1 GiB file costs a slice plus the chunk in progress.
 */
import { CutFinder } from '@coffer/protocol';

/** Bytes read per slice: large enough that each await carries several blocks. */
export const SLICE_BYTES = 8 * 1024 * 1024;

/** The blocks of `blob` in order; each a view into its slice's memory (kept alive only while held). */
export async function* fileBlocks(blob: Blob, signal?: AbortSignal, sliceBytes = SLICE_BYTES): AsyncGenerator<Uint8Array> {
  const finder = new CutFinder();
  let carry = new Uint8Array(0);
  for (let at = 0; ; ) {
    signal?.throwIfAborted();
    const piece = at < blob.size ? new Uint8Array(await blob.slice(at, Math.min(blob.size, at + sliceBytes)).arrayBuffer()) : new Uint8Array(0);
    at += piece.length;
    const final = at >= blob.size;
    let buf = piece;
    if (carry.length > 0) {
      buf = new Uint8Array(carry.length + piece.length);
      buf.set(carry);
      buf.set(piece, carry.length);
    }
    let start = 0;
    for (;;) {
      const cut = finder.find(buf.subarray(start), buf.length - start);
      if (cut < 0) break;
      yield buf.subarray(start, start + cut);
      start += cut;
    }
    if (final) {
      if (start < buf.length) yield buf.subarray(start);
      return;
    }
    // The uncut tail (< maxSize) is copied so the slice's memory can go once its blocks are sent.
    carry = buf.slice(start);
  }
}
