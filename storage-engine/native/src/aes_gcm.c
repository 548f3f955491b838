#include "aes_gcm.h"

#include <limits.h>
#include <openssl/evp.h>

/* EVP takes int lengths: feed longer inputs in pieces. */
static int update(EVP_CIPHER_CTX *ctx, int enc, uint8_t *out, bytes_t in) {
  while (in.n > 0) {
    int len = in.n > (size_t)(INT_MAX / 2) ? INT_MAX / 2 : (int)in.n;
    int outl = 0;
    int ok = enc ? EVP_EncryptUpdate(ctx, out, &outl, in.p, len) : EVP_DecryptUpdate(ctx, out, &outl, in.p, len);
    if (!ok) return -1;
    in.p += len;
    in.n -= (size_t)len;
    if (out) out += outl;
  }
  return 0;
}

static EVP_CIPHER_CTX *start(int enc, const uint8_t key[32], const uint8_t nonce[12], bytes_t aad1, bytes_t aad2) {
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (!ctx) return NULL;
  int ok = enc ? EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) : EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce);
  if (ok && update(ctx, enc, NULL, aad1) == 0 && update(ctx, enc, NULL, aad2) == 0) return ctx;
  EVP_CIPHER_CTX_free(ctx);
  return NULL;
}

int gcm_seal(const uint8_t key[32], const uint8_t nonce[12], bytes_t aad1, bytes_t aad2, bytes_t src, uint8_t *out, uint8_t tag[16]) {
  EVP_CIPHER_CTX *ctx = start(1, key, nonce, aad1, aad2);
  if (!ctx) return -1;
  int outl = 0;
  int rc = update(ctx, 1, out, src) == 0 && EVP_EncryptFinal_ex(ctx, out + src.n, &outl) && outl == 0 &&
                   EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag)
               ? 0
               : -1;
  EVP_CIPHER_CTX_free(ctx);
  return rc;
}

int gcm_open(const uint8_t key[32], const uint8_t nonce[12], bytes_t aad1, bytes_t aad2, bytes_t src, const uint8_t tag[16], uint8_t *out) {
  EVP_CIPHER_CTX *ctx = start(0, key, nonce, aad1, aad2);
  if (!ctx) return -1;
  int rc = -1;
  if (update(ctx, 0, out, src) == 0 && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag)) {
    int outl = 0;
    rc = EVP_DecryptFinal_ex(ctx, out + src.n, &outl) > 0 ? 0 : 1;
  }
  EVP_CIPHER_CTX_free(ctx);
  return rc;
}
