/*
 * directRead(path, into): Promise<number> — the whole file `path` into `into` (a Uint8Array at
 * least its size), read around the page cache (O_DIRECT) as one job on libuv's thread pool (open,
 * fstat, read, close). For objects written around the page cache (durable_write.c DW_DIRECT): a
 * buffered read would bring them into page cache the reader never uses again and, on a VM whose
 * host backs guest memory lazily, pay its first touch (~2.3 ms of CPU per MiB); read direct, the
 * disk's DMA fills the thread's own aligned buffer (kept: warm) and one copy lands in `into`.
 * Where the file system refuses O_DIRECT (tmpfs on older kernels, EINVAL), or the file is small,
 * the read is an ordinary pread into `into`. Resolves to the bytes read: the file's size. Rejects
 * with an Error whose `code` is the errno name (ENOENT, EISDIR, ...), or ERANGE when the file is
 * larger than `into` (nothing is then written past it).
 *
 * `into` is referenced until the job ends; the caller must not transfer (detach) it meanwhile.
 */
#define _GNU_SOURCE
#include "direct_read.h"
#include "direct_buffer.h"
#include "errno_error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

enum { READ_DIRECT_MIN = 64 * 1024 };

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref into_ref;
  char *path;
  unsigned char *into;
  size_t cap;
  size_t got;
  int err;
  const char *syscall;
} job_t;

static void fail(job_t *j, const char *syscall) {
  j->err = errno;
  j->syscall = syscall;
}

/* Buffered: pread until `size` bytes or the end. */
static int read_buffered(job_t *j, int fd, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t r = pread(fd, j->into + done, size - done, (off_t)done);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      fail(j, "read");
      return -1;
    }
    if (r == 0) break; /* shrank under us: what is there */
    done += (size_t)r;
  }
  j->got = done;
  return 0;
}

/* 1: read; 0: not taken (the caller reads buffered); -1: failed. */
static int read_direct(job_t *j, size_t size) {
  size_t rounded = (size + DIRECT_ALIGN - 1) & ~(size_t)(DIRECT_ALIGN - 1);
  char *buf = direct_buffer(rounded);
  if (!buf) return 0;
  int fd = open(j->path, O_RDONLY | O_CLOEXEC | O_DIRECT);
  if (fd < 0) return errno == EINVAL ? 0 : (fail(j, "open"), -1);
  size_t done = 0;
  while (done < rounded) {
    ssize_t r = pread(fd, buf + done, rounded - done, (off_t)done);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EINVAL && done == 0) {
      close(fd);
      return 0;
    }
    if (r < 0) {
      fail(j, "read");
      close(fd);
      return -1;
    }
    if (r == 0) break;
    done += (size_t)r;
    if (done >= size) break; /* the last, short read reached the end */
  }
  close(fd);
  j->got = done < size ? done : size;
  memcpy(j->into, buf, j->got);
  return 1;
}

static void execute(napi_env env, void *data) {
  (void)env;
  job_t *j = data;
  int fd = open(j->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(j, "open");
  struct stat st;
  if (fstat(fd, &st) != 0) {
    fail(j, "fstat");
    close(fd);
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    fail(j, "read");
    close(fd);
    return;
  }
  size_t size = (size_t)st.st_size;
  if (size > j->cap) {
    errno = ERANGE;
    fail(j, "read");
    close(fd);
    return;
  }
  if (size >= READ_DIRECT_MIN && size <= DIRECT_MAX) {
    int rc = read_direct(j, size);
    if (rc != 0) {
      close(fd);
      return;
    }
  }
  read_buffered(j, fd, size);
  close(fd);
}

static void complete(napi_env env, napi_status status, void *data) {
  job_t *j = data;
  if (status == napi_ok && j->err == 0) {
    napi_value n;
    napi_create_double(env, (double)j->got, &n);
    napi_resolve_deferred(env, j->deferred, n);
  } else {
    napi_reject_deferred(env, j->deferred, errno_error(env, j->err, j->syscall ? j->syscall : "read", j->path));
  }
  napi_delete_reference(env, j->into_ref);
  napi_delete_async_work(env, j->work);
  free(j->path);
  free(j);
}

napi_value direct_read_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "directRead(path, into)");
    return NULL;
  }
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &len) != napi_ok || len == 0 || len > PATH_MAX) {
    napi_throw_type_error(env, NULL, "path must be a non-empty path string");
    return NULL;
  }
  bool is_ta = false;
  napi_typedarray_type type;
  size_t cap = 0;
  void *p = NULL;
  if (napi_is_typedarray(env, argv[1], &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, argv[1], &type, &cap, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "into must be a Uint8Array");
    return NULL;
  }
  job_t *j = calloc(1, sizeof *j);
  if (!j || !(j->path = malloc(len + 1))) {
    free(j);
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, argv[0], j->path, len + 1, &len) != napi_ok || strlen(j->path) != len) {
    free(j->path);
    free(j);
    napi_throw_type_error(env, NULL, "paths must not contain NUL");
    return NULL;
  }
  j->into = p;
  j->cap = cap;
  napi_value promise, name;
  if (napi_create_reference(env, argv[1], 1, &j->into_ref) != napi_ok) {
    free(j->path);
    free(j);
    napi_throw_error(env, NULL, "cannot reference the buffer");
    return NULL;
  }
  if (napi_create_promise(env, &j->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "coffer:directRead", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, j, &j->work) != napi_ok ||
      napi_queue_async_work(env, j->work) != napi_ok) {
    napi_delete_reference(env, j->into_ref);
    free(j->path);
    free(j);
    napi_throw_error(env, NULL, "cannot queue the read");
    return NULL;
  }
  return promise;
}
