/**
 * An answer's body freed as soon as it has been written out, rather than at V8's next collection
 * for external memory, which starts only once ~64 MiB more of it is held (server/README.md,
 * "Memory"): a download of 1 MiB blocks left that much behind it. 'finish' means the last write
 * completed, so nothing (a socket, TLS) reads the bytes any more; an answer cut short never
 * finishes and leaves its body to the collector.
 */
import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { recycleBlock, releaseMemory } from '@coffer/storage-engine';

/** `body` must be the caller's own memory that nothing else reads (releaseMemory's contract). */
export function releaseWhenSent(c: Context, body: Uint8Array): void {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  // The engine's read memory serves its next read; other memory is freed now.
  outgoing?.once('finish', () => {
    if (!recycleBlock(body)) releaseMemory(body);
  });
}

/** The same for many blocks from BlockStore.get (a streamed pack's): at 'finish' they serve the engine's next reads, or are freed. */
export function releaseAllWhenSent(c: Context): (body: Uint8Array) => void {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  const held: Uint8Array[] = [];
  outgoing?.once('finish', () => {
    for (const b of held.splice(0)) if (!recycleBlock(b)) releaseMemory(b);
  });
  return outgoing ? (b) => held.push(b) : () => {};
}
