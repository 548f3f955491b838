#define _GNU_SOURCE
/*
 * One aligned buffer per thread-pool thread for O_DIRECT reads and writes (direct_read.c,
 * durable_write.c): grown on demand up to DIRECT_MAX, never freed (a pool thread lives as long as
 * the process), so its memory stays touched and no job allocates.
 */
#include "direct_buffer.h"

#include <stdlib.h>

enum { FIRST = 2 * 1024 * 1024 };
static __thread char *buffer;
static __thread size_t buffer_size;

char *direct_buffer(size_t size) {
  if (size > DIRECT_MAX) return NULL;
  if (buffer_size >= size) return buffer;
  void *p = NULL;
  size_t want = size < FIRST ? FIRST : size;
  if (posix_memalign(&p, DIRECT_ALIGN, want) != 0) return NULL;
  free(buffer);
  buffer = p;
  buffer_size = want;
  return buffer;
}
