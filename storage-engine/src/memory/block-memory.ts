import { SharedArena } from './shared-arena.js';

/**
 * Memory for blocks in flight: pieces of one shared arena per thread that starts the engine
 * (see shared-arena.ts), handed to the sealing workers and FsNode's writer threads when they
 * start. When the arena is full (an unusual burst), a fresh buffer of its own serves instead:
 * slower, never wrong.
 */
const ARENA_BYTES = 96 * 1024 * 1024;
let arena: SharedArena | undefined;

export function blockArena(): SharedArena {
  arena ??= new SharedArena(ARENA_BYTES);
  return arena;
}

/** `bytes` bytes (contents arbitrary) for a chunk or shard objects; give them back when done. */
export function takeBlockMemory(bytes: number): Buffer {
  return blockArena().take(bytes) ?? Buffer.allocUnsafeSlow(bytes);
}

/** Memory from takeBlockMemory(max) cut down to its first `bytes` (same start), the rest freed;
 *  outside the arena, a copy of its own (so the result never pins a larger buffer). */
export function trimBlockMemory(view: Buffer, bytes: number): Buffer {
  const trimmed = arena?.trim(view, bytes);
  if (trimmed) return trimmed;
  const own = Buffer.allocUnsafeSlow(bytes);
  own.set(view.subarray(0, bytes));
  return own;
}

/** Done with memory from takeBlockMemory (anything else is ignored). */
export function giveBlockMemory(view: Uint8Array): void {
  arena?.give(view);
}

/** Where `view` sits in the arena, when it does (so another thread can be told an offset). */
export function arenaSpan(view: Uint8Array): { offset: number; length: number } | undefined {
  return arena?.holds(view) ? { offset: view.byteOffset, length: view.byteLength } : undefined;
}
