#include "gear_scan.h"

#include <pthread.h>

static uint32_t gear[256];
static pthread_once_t gear_once = PTHREAD_ONCE_INIT;

/* mulberry32 from seed "Coff", exactly as gear-table.ts computes it in int32 arithmetic. */
static void build_gear(void) {
  uint32_t a = 0x436f6666u;
  for (int i = 0; i < 256; i++) {
    a += 0x6d2b79f5u;
    uint32_t t = (a ^ (a >> 15)) * (1u | a);
    t = (t + (t ^ (t >> 7)) * (61u | t)) ^ t;
    gear[i] = t ^ (t >> 14);
  }
}

const uint32_t *gear_table(void) {
  pthread_once(&gear_once, build_gear);
  return gear;
}

/*
 * One dependent shift-and-add per byte. Scanning a block as several independent lanes (possible:
 * a hash depends only on the 32 bytes before it) measured no faster here than this plain loop,
 * which already runs at about a byte per cycle, so the plain loop it is.
 */
int64_t gear_scan(const uint8_t *d, size_t i, size_t stop, uint32_t h, uint32_t t, uint32_t *hash) {
  const uint32_t *g = gear_table();
  for (; i < stop; i++) {
    h = (h << 1) + g[d[i]];
    if (h < t) return (int64_t)i + 1;
  }
  *hash = h;
  return -1;
}
