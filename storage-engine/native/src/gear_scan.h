#ifndef COFFER_GEAR_SCAN_H
#define COFFER_GEAR_SCAN_H
#include <stddef.h>
#include <stdint.h>

/* The chunker's gear table, built once from the same seed and PRNG as gear-table.ts. */
const uint32_t *gear_table(void);

/*
 * Hash d[i..stop) into h (h = (h << 1) + GEAR[byte], 32-bit) and return the index just past the
 * first byte after which h < t, or -1 with *hash set to the hash after the last byte: the same
 * answer as chunker.ts's scanBytes. Requires i <= stop.
 */
int64_t gear_scan(const uint8_t *d, size_t i, size_t stop, uint32_t h, uint32_t t, uint32_t *hash);

#endif
