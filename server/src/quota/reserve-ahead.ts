/** A body of unknown length, passed on only as far as a quota reservation covers it. */

/** Reserved a step ahead of the bytes: one statement per step, not per chunk of the body. */
export const RESERVE_STEP_BYTES = 8 * 1024 * 1024;

/**
 * Yields `source`'s bytes once `grow(atLeast, upTo)` has reserved them: asked for a step more than
 * the bytes seen, it takes what fits and refuses (throws) only when the bytes seen do not. The
 * bytes of a refused chunk are never passed on, so nothing past the quota reaches storage.
 */
export async function* reservedAhead(
  source: AsyncIterable<Uint8Array>,
  grow: (atLeast: number, upTo: number) => Promise<number>,
  step = RESERVE_STEP_BYTES,
): AsyncGenerator<Uint8Array> {
  let held = 0;
  let seen = 0;
  for await (const bytes of source) {
    seen += bytes.byteLength;
    if (seen > held) held = await grow(seen, seen + step);
    yield bytes;
  }
}
