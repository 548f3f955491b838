/*
 * Node-API face of the addon. Every function checks its arguments and throws a TypeError or
 * RangeError rather than touching memory it was not given.
 *
 *   gearTable(): Uint32Array(256)                      the table, for the loader's self-check
 *   gearScan(data, i, stop, h, t): number              cut index, or -1 - hash (uint32) when none
 *   gcmSeal(key, nonce, aad1, aad2, src, out, tag)     ciphertext of src into out, tag into tag
 *   gcmOpen(key, nonce, aad1, aad2, src, tag, out): boolean   plaintext into out; false: bad tag
 *   durableWrite(tmp, path, dir, root, parts[, flags]): Promise<void>    see durable_write.c
 *   directRead(path, into): Promise<number>           see direct_read.c
 *   renameNoReplace(from, to): void                    see rename_noreplace.c; throws with code
 */
#include <node_api.h>
#include <stdio.h>
#include <string.h>

#include "aes_gcm.h"
#include "direct_read.h"
#include "durable_write.h"
#include "gear_scan.h"
#include "rename_noreplace.h"

#include <errno.h>
#include <stdlib.h>

#define CALL(env, expr)                                               \
  do {                                                                \
    if ((expr) != napi_ok) {                                          \
      napi_throw_error((env), "ECOFFERNATIVE", "node-api call failed"); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

/* A Uint8Array argument (Buffers are ones), as pointer and length; 0 after throwing. */
static int bytes_arg(napi_env env, napi_value v, const char *name, bytes_t *out) {
  bool is = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be a Uint8Array", name);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  out->p = data;
  out->n = length;
  return 1;
}

static int sized_arg(napi_env env, napi_value v, const char *name, size_t size, bytes_t *out) {
  if (!bytes_arg(env, v, name, out)) return 0;
  if (out->n == size) return 1;
  char msg[96];
  snprintf(msg, sizeof msg, "%s must be %zu bytes", name, size);
  napi_throw_range_error(env, NULL, msg);
  return 0;
}

static int args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "too few arguments");
    return 0;
  }
  return 1;
}

static napi_value gear_table_js(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value ab, arr;
  void *data = NULL;
  CALL(env, napi_create_arraybuffer(env, 256 * sizeof(uint32_t), &data, &ab));
  memcpy(data, gear_table(), 256 * sizeof(uint32_t));
  CALL(env, napi_create_typedarray(env, napi_uint32_array, 256, ab, 0, &arr));
  return arr;
}

static napi_value gear_scan_js(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!args(env, info, 5, argv)) return NULL;
  bytes_t d;
  if (!bytes_arg(env, argv[0], "data", &d)) return NULL;
  int64_t i = 0, stop = 0;
  int32_t h = 0;
  uint32_t t = 0;
  CALL(env, napi_get_value_int64(env, argv[1], &i));
  CALL(env, napi_get_value_int64(env, argv[2], &stop));
  CALL(env, napi_get_value_int32(env, argv[3], &h));
  CALL(env, napi_get_value_uint32(env, argv[4], &t));
  if (i < 0 || stop < i || (uint64_t)stop > d.n) {
    napi_throw_range_error(env, NULL, "scan range is outside the data");
    return NULL;
  }
  uint32_t hash = 0;
  int64_t cut = gear_scan(d.p, (size_t)i, (size_t)stop, (uint32_t)h, t, &hash);
  napi_value out;
  CALL(env, napi_create_double(env, cut >= 0 ? (double)cut : -1.0 - (double)hash, &out));
  return out;
}

/* The arguments both GCM calls share: key, nonce, aad1, aad2, src. */
static int gcm_args(napi_env env, napi_value *argv, bytes_t *key, bytes_t *nonce, bytes_t *aad1, bytes_t *aad2, bytes_t *src) {
  return sized_arg(env, argv[0], "key", 32, key) && sized_arg(env, argv[1], "nonce", 12, nonce) &&
         bytes_arg(env, argv[2], "aad1", aad1) && bytes_arg(env, argv[3], "aad2", aad2) && bytes_arg(env, argv[4], "src", src);
}

static napi_value gcm_seal_js(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args(env, info, 7, argv)) return NULL;
  bytes_t key, nonce, aad1, aad2, src, out, tag;
  if (!gcm_args(env, argv, &key, &nonce, &aad1, &aad2, &src) || !bytes_arg(env, argv[5], "out", &out) ||
      !sized_arg(env, argv[6], "tag", 16, &tag)) {
    return NULL;
  }
  if (out.n < src.n) {
    napi_throw_range_error(env, NULL, "out is smaller than src");
    return NULL;
  }
  if (gcm_seal(key.p, nonce.p, aad1, aad2, src, (uint8_t *)out.p, (uint8_t *)tag.p) != 0) {
    napi_throw_error(env, "ECOFFERCRYPTO", "AES-256-GCM encryption failed");
  }
  return NULL;
}

static napi_value gcm_open_js(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args(env, info, 7, argv)) return NULL;
  bytes_t key, nonce, aad1, aad2, src, tag, out;
  if (!gcm_args(env, argv, &key, &nonce, &aad1, &aad2, &src) || !sized_arg(env, argv[5], "tag", 16, &tag) ||
      !bytes_arg(env, argv[6], "out", &out)) {
    return NULL;
  }
  if (out.n < src.n) {
    napi_throw_range_error(env, NULL, "out is smaller than src");
    return NULL;
  }
  int rc = gcm_open(key.p, nonce.p, aad1, aad2, src, tag.p, (uint8_t *)out.p);
  if (rc < 0) {
    napi_throw_error(env, "ECOFFERCRYPTO", "AES-256-GCM decryption failed");
    return NULL;
  }
  napi_value ok;
  CALL(env, napi_get_boolean(env, rc == 0, &ok));
  return ok;
}

/* A string argument as a malloc'd C string (free it); NULL after throwing. */
static char *string_arg(napi_env env, napi_value v, const char *name) {
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be a string", name);
    napi_throw_type_error(env, NULL, msg);
    return NULL;
  }
  char *s = malloc(n + 1);
  if (!s || napi_get_value_string_utf8(env, v, s, n + 1, &n) != napi_ok || strlen(s) != n) {
    free(s);
    napi_throw_type_error(env, NULL, "a path must be a string without NUL");
    return NULL;
  }
  return s;
}

static napi_value rename_noreplace_js(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return NULL;
  char *from = string_arg(env, argv[0], "from");
  if (!from) return NULL;
  char *to = string_arg(env, argv[1], "to");
  if (!to) {
    free(from);
    return NULL;
  }
  int rc = rename_noreplace(from, to);
  int err = errno;
  free(from);
  free(to);
  if (rc != 0) {
    const char *code = errno_name(err);
    char msg[160];
    snprintf(msg, sizeof msg, "%s: rename without replacing failed", code);
    napi_throw_error(env, code, msg);
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"gearTable", NULL, gear_table_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gearScan", NULL, gear_scan_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gcmSeal", NULL, gcm_seal_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gcmOpen", NULL, gcm_open_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"durableWrite", NULL, durable_write_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"directRead", NULL, direct_read_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"renameNoReplace", NULL, rename_noreplace_js, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
