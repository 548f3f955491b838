#ifndef COFFER_AES_GCM_H
#define COFFER_AES_GCM_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *p;
  size_t n;
} bytes_t;

/* AES-256-GCM with a 12-byte nonce and two AAD parts, through the OpenSSL that node exports.
 * Output goes to `out` (src.n bytes; may be src itself). Return 0 on success, -1 on an OpenSSL
 * failure; gcm_open returns 1 when the tag does not verify (out then holds unverified bytes). */
int gcm_seal(const uint8_t key[32], const uint8_t nonce[12], bytes_t aad1, bytes_t aad2, bytes_t src, uint8_t *out, uint8_t tag[16]);
int gcm_open(const uint8_t key[32], const uint8_t nonce[12], bytes_t aad1, bytes_t aad2, bytes_t src, const uint8_t tag[16], uint8_t *out);

#endif
