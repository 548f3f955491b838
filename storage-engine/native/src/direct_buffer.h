#ifndef COFFER_DIRECT_BUFFER_H
#define COFFER_DIRECT_BUFFER_H
#include <stddef.h>

/* O_DIRECT wants memory, length and offset aligned to the device's block: 4 KiB covers them. */
enum { DIRECT_ALIGN = 4096, DIRECT_MAX = 8 * 1024 * 1024 };

/* The calling thread's aligned buffer of at least `size` bytes (kept for its later jobs: warm
 * memory, no allocation per call), or NULL when it cannot be had. `size` <= DIRECT_MAX. */
char *direct_buffer(size_t size);

#endif
