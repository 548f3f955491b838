/**
 * Give a buffer's memory back to the allocator now, instead of when the garbage collector gets
 * to it. Bytes that stream through the process (request bodies, blocks read for a download)
 * were freed only by V8's collections for external memory, which start once ~64 MiB more of it
 * is held: the 2 GiB transfer's resident size swung by that much. Detaching the ArrayBuffer
 * (ArrayBuffer.prototype.transfer(0), Node 22+) frees it at once; on older Node this does nothing.
 *
 * Only for memory the caller owns outright and no one reads again: the view's whole ArrayBuffer
 * goes, and every other view of it becomes empty. Node's shared pool (small Buffers) and shared
 * memory are never touched.
 */
const POOL_CEILING = 64 * 1024;

type Transferable = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer; detached?: boolean };

export function releaseMemory(view: Uint8Array): void {
  const ab = view.buffer as Transferable;
  if (!(ab instanceof ArrayBuffer) || typeof ab.transfer !== 'function' || ab.detached) return;
  // Node's Buffer pool (Buffer.poolSize bytes, which some libraries raise to 64 KiB) hands out
  // slices under half its size: a view of its whole buffer, or of one larger than a pool, is none.
  const whole = view.byteOffset === 0 && view.byteLength === ab.byteLength;
  if (!whole && ab.byteLength <= Math.max(Buffer.poolSize, POOL_CEILING)) return;
  ab.transfer(0);
}
