/**
 * The gear table of the content-defined chunker: 256 pseudo-random 32-bit values.
 *
 * It must be identical in every build that cuts data (server, CLI client, browser), forever:
 * a different table moves every chunk boundary, so nothing already stored would dedup again.
 * So it is generated from a fixed seed by mulberry32, a tiny PRNG made only of 32-bit integer
 * operations (Math.imul, shifts, xor) that every JavaScript engine computes bit for bit the same.
 * The chunker's tests pin a digest of this table and exact boundaries on a fixed input.
 */
const GEAR_SEED = 0x436f6666; // "Coff"

function buildGear(seed: number): Int32Array {
  const table = new Int32Array(256);
  let a = seed | 0;
  for (let i = 0; i < 256; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    table[i] = t ^ (t >>> 14);
  }
  return table;
}

/** Gear value per byte value, as signed 32-bit integers (the hash is kept in int32 arithmetic). */
export const GEAR: Int32Array = buildGear(GEAR_SEED);
