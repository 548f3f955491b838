/*
 * An atomic, durable file write as one job on libuv's thread pool: create `tmp` (O_EXCL), writev
 * the parts, fdatasync, close, rename over `path`, fsync `dir`. When `dir` does not exist yet it
 * is made below `root` (mkdir -p, each new entry's parent fsync'ed) in the same job — the first
 * object under a new prefix used to cost six more round trips, and a fresh node makes hundreds
 * of prefixes. `root` itself is never made: a vanished root is a lost disk (code ENOROOT). FsNode used to do this on worker
 * threads of its own, which cost ~13 MiB of memory each and a message round trip per write; here
 * it costs one pool job and no memory but the job's. The promise rejects with an Error whose
 * `code` is the errno name (ENOENT, ENOSPC, ...) and `syscall` the call that failed; a failure
 * before the rename removes the temp file, so nothing half-written is ever under `path`.
 *
 * The parts are referenced until the job ends, so the collector cannot free them; the caller
 * must not transfer (detach) them meanwhile.
 */
#define _GNU_SOURCE
#include "durable_write.h"
#include "direct_buffer.h"
#include "errno_error.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <uv.h>

enum { MAX_PARTS = 16 };

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref parts_ref;
  struct iovec iov[MAX_PARTS];
  int niov;
  char *tmp, *path, *dir, *root;
  int err;
  const char *syscall;
  bool no_root;
  /* Flags (durableWrite's sixth argument): DW_DIRECT, DW_NO_SYNC. */
  bool direct, no_sync;
} job_t;

enum { DW_DIRECT = 1, DW_NO_SYNC = 2 };

static void fail(job_t *j, const char *syscall) {
  j->err = errno;
  j->syscall = syscall;
}

static int sync_dir(const char *dir) {
  int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) return -1;
  int rc = fsync(d);
  int saved = errno;
  close(d);
  errno = saved;
  return rc;
}

/* mkdir -p j->dir below j->root (which must exist), fsync'ing the parent of every entry made
 * (j->dir's own entries are synced after the rename). 0, or -1 with the job's error set. */
static int make_parents(job_t *j) {
  struct stat st;
  if (stat(j->root, &st) != 0 || !S_ISDIR(st.st_mode)) {
    j->no_root = true;
    return -1;
  }
  size_t root_len = strlen(j->root);
  if (j->dir[root_len] == '\0') return 0; /* dir is the root: nothing to make */
  char *p = strdup(j->dir);
  if (!p) {
    errno = ENOMEM;
    fail(j, "mkdir");
    return -1;
  }
  /* Each '/' after the root ends one component: make it, and sync its parent when it is new. */
  for (char *c = p + root_len + 1;; c++) {
    bool end = *c == '\0';
    if (*c != '/' && !end) continue;
    *c = '\0';
    if (mkdir(p, 0755) == 0) {
      char *slash = strrchr(p, '/');
      *slash = '\0';
      int rc = sync_dir(p);
      *slash = '/';
      if (rc != 0) {
        fail(j, "fsync");
        free(p);
        return -1;
      }
    } else if (errno != EEXIST) {
      fail(j, "mkdir");
      free(p);
      return -1;
    }
    if (end) break;
    *c = '/';
  }
  free(p);
  return 0;
}

/* Create j->tmp (O_EXCL, plus `extra` open flags), making its directory first when missing. The fd;
 * -1 when the open failed (errno set, nothing recorded); -2 when making the directory failed (the
 * job's error recorded). */
static int open_tmp(job_t *j, int extra) {
  int fd = open(j->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | extra, 0644);
  if (fd < 0 && errno == ENOENT) {
    if (make_parents(j) != 0) return -2;
    fd = open(j->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | extra, 0644);
  }
  return fd;
}

/*
 * DW_DIRECT: the bytes go to the disk with O_DIRECT, not through the page cache — for objects the
 * page cache would not serve (FsNode's block shards, read back direct: direct_read.c; the sync
 * agent's block cache), so they neither take page cache from what is read nor cost its first touch (on a VM whose host backs guest memory lazily, ~2.3 ms of CPU per
 * MiB, as much as hashing it twice). O_DIRECT wants memory, length and offset aligned, so the parts
 * are copied into an aligned buffer of the thread's own (direct_buffer.c: warm, no allocation per write), the
 * length rounded up and the file cut back to its size. Where the file system refuses O_DIRECT
 * (tmpfs) at the open or at the first write (EINVAL), or for sizes outside [DIRECT_MIN, DIRECT_MAX],
 * the write is buffered as always: a file system we cannot write around never fails a write.
 */
enum { DIRECT_MIN = 64 * 1024 };

/* 1: written (fd open, to be synced by the caller); 0: not taken (nothing done); -1: failed. */
static int write_direct(job_t *j, int *fdp) {
  size_t total = 0;
  for (int i = 0; i < j->niov; i++) total += j->iov[i].iov_len;
  if (total < DIRECT_MIN || total > DIRECT_MAX) return 0;
  size_t rounded = (total + DIRECT_ALIGN - 1) & ~(size_t)(DIRECT_ALIGN - 1);
  char *bounce = direct_buffer(rounded);
  if (!bounce) return 0;
  size_t at = 0;
  for (int i = 0; i < j->niov; i++) {
    memcpy(bounce + at, j->iov[i].iov_base, j->iov[i].iov_len);
    at += j->iov[i].iov_len;
  }
  memset(bounce + total, 0, rounded - total);
  int fd = open_tmp(j, O_DIRECT);
  if (fd == -2) return -1;
  if (fd < 0 && errno == EINVAL) {
    unlink(j->tmp); /* some kernels create the file before refusing O_DIRECT */
    return 0;
  }
  if (fd < 0) {
    fail(j, "open");
    return -1;
  }
  size_t done = 0;
  while (done < rounded) {
    ssize_t w = pwrite(fd, bounce + done, rounded - done, (off_t)done);
    if (w == 0) errno = EIO; /* no progress: never spin */
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EINVAL && done == 0) {
        /* Opened, but the file system wants another alignment (or none): write it buffered. */
        close(fd);
        unlink(j->tmp);
        return 0;
      }
      fail(j, "write");
      close(fd);
      unlink(j->tmp);
      return -1;
    }
    done += (size_t)w;
  }
  if (ftruncate(fd, (off_t)total) != 0) {
    fail(j, "ftruncate");
    close(fd);
    unlink(j->tmp);
    return -1;
  }
  *fdp = fd;
  return 1;
}

static void execute(napi_env env, void *data) {
  (void)env;
  job_t *j = data;
  int fd = -1;
  int direct = j->direct ? write_direct(j, &fd) : 0;
  if (direct < 0) return;
  if (direct == 1) goto sync;
  fd = open_tmp(j, 0);
  if (fd == -2) return;
  if (fd < 0) {
    fail(j, "open");
    return;
  }
  struct iovec *iov = j->iov;
  int n = j->niov;
  while (n > 0) {
    ssize_t w = writev(fd, iov, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail(j, "write");
      goto close_and_unlink;
    }
    while (n > 0 && (size_t)w >= iov->iov_len) {
      w -= (ssize_t)iov->iov_len;
      iov++;
      n--;
    }
    if (n > 0) {
      iov->iov_base = (char *)iov->iov_base + w;
      iov->iov_len -= (size_t)w;
    }
  }
sync:
  if (!j->no_sync && fdatasync(fd) != 0) {
    fail(j, "fdatasync");
    goto close_and_unlink;
  }
  if (close(fd) != 0) {
    fail(j, "close");
    goto unlink_tmp;
  }
  if (rename(j->tmp, j->path) != 0) {
    fail(j, "rename");
    goto unlink_tmp;
  }
  if (!j->no_sync && sync_dir(j->dir) != 0) fail(j, "fsync");
  return;
close_and_unlink:
  close(fd);
unlink_tmp:
  unlink(j->tmp);
}

static void free_job(job_t *j) {
  free(j->tmp);
  free(j->path);
  free(j->dir);
  free(j->root);
  free(j);
}

static void complete(napi_env env, napi_status status, void *data) {
  job_t *j = data;
  if (status == napi_ok && j->no_root) {
    char msg[512];
    snprintf(msg, sizeof msg, "directory %s is missing", j->root);
    napi_value code, message, error;
    napi_create_string_utf8(env, "ENOROOT", NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, code, message, &error);
    napi_reject_deferred(env, j->deferred, error);
  } else if (status == napi_ok && j->err == 0) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, j->deferred, undef);
  } else {
    napi_reject_deferred(env, j->deferred, errno_error(env, j->err, j->syscall ? j->syscall : "write", j->path));
  }
  napi_delete_reference(env, j->parts_ref);
  napi_delete_async_work(env, j->work);
  free_job(j);
}

/* A string argument as a fresh C string, or NULL after throwing. */
static char *string_arg(napi_env env, napi_value v, const char *name) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok || len == 0 || len > PATH_MAX) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be a non-empty path string", name);
    napi_throw_type_error(env, NULL, msg);
    return NULL;
  }
  char *s = malloc(len + 1);
  if (!s || napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok || strlen(s) != len) {
    free(s);
    napi_throw_type_error(env, NULL, "paths must not contain NUL");
    return NULL;
  }
  return s;
}

napi_value durable_write_js(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) {
    napi_throw_type_error(env, NULL, "durableWrite(tmp, path, dir, root, parts[, flags])");
    return NULL;
  }
  uint32_t flags = 0;
  napi_valuetype flags_type = napi_undefined;
  if (argc >= 6 && (napi_typeof(env, argv[5], &flags_type) != napi_ok ||
                    (flags_type != napi_undefined && (flags_type != napi_number || napi_get_value_uint32(env, argv[5], &flags) != napi_ok)) ||
                    (flags & ~(uint32_t)(DW_DIRECT | DW_NO_SYNC)) != 0)) {
    napi_throw_type_error(env, NULL, "flags must be a combination of 1 (direct) and 2 (no sync)");
    return NULL;
  }
  job_t *j = calloc(1, sizeof *j);
  if (!j) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  j->direct = flags & DW_DIRECT;
  j->no_sync = flags & DW_NO_SYNC;
  if (!(j->tmp = string_arg(env, argv[0], "tmp")) || !(j->path = string_arg(env, argv[1], "path")) ||
      !(j->dir = string_arg(env, argv[2], "dir")) || !(j->root = string_arg(env, argv[3], "root"))) {
    free_job(j);
    return NULL;
  }
  size_t root_len = strlen(j->root);
  if (root_len < 1 || strncmp(j->dir, j->root, root_len) != 0 || (j->dir[root_len] != '/' && j->dir[root_len] != '\0') ||
      j->root[root_len - 1] == '/') {
    free_job(j);
    napi_throw_range_error(env, NULL, "dir must be root or lie below it (no trailing slash on root)");
    return NULL;
  }
  bool is_array = false;
  uint32_t count = 0;
  if (napi_is_array(env, argv[4], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[4], &count) != napi_ok ||
      count > MAX_PARTS) {
    free_job(j);
    napi_throw_type_error(env, NULL, "parts must be an array of at most 16 Uint8Arrays");
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value part;
    bool is_ta = false;
    napi_typedarray_type type;
    size_t length = 0;
    void *p = NULL;
    if (napi_get_element(env, argv[4], i, &part) != napi_ok || napi_is_typedarray(env, part, &is_ta) != napi_ok || !is_ta ||
        napi_get_typedarray_info(env, part, &type, &length, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) {
      free_job(j);
      napi_throw_type_error(env, NULL, "parts must be Uint8Arrays");
      return NULL;
    }
    if (length == 0) continue;
    j->iov[j->niov].iov_base = p;
    j->iov[j->niov].iov_len = length;
    j->niov++;
  }
  napi_value promise, name;
  if (napi_create_reference(env, argv[4], 1, &j->parts_ref) != napi_ok) {
    free_job(j);
    napi_throw_error(env, NULL, "cannot reference the parts");
    return NULL;
  }
  if (napi_create_promise(env, &j->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "coffer:durableWrite", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, j, &j->work) != napi_ok ||
      napi_queue_async_work(env, j->work) != napi_ok) {
    napi_delete_reference(env, j->parts_ref);
    free_job(j);
    napi_throw_error(env, NULL, "cannot queue the write");
    return NULL;
  }
  return promise;
}
