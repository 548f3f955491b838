/*
 * An atomic rename that fails with EEXIST instead of replacing the target: renameat2
 * RENAME_NOREPLACE on Linux (3.15+; ext4, xfs, btrfs, tmpfs…), renamex_np RENAME_EXCL on macOS.
 * node's fs has no such call, and the sync agent needs one: any check-then-rename leaves an
 * instant in which a file the user just created would be silently replaced.
 */
#define _GNU_SOURCE
#include "rename_noreplace.h"

#include <errno.h>
#include <stdio.h>
#include <uv.h>

const char *errno_name(int err) { return uv_err_name(uv_translate_sys_error(err)); }

#if defined(__linux__)
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
int rename_noreplace(const char *from, const char *to) {
#ifdef SYS_renameat2
  return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
#else
  (void)from;
  (void)to;
  errno = ENOSYS;
  return -1;
#endif
}
#elif defined(__APPLE__)
int rename_noreplace(const char *from, const char *to) { return renamex_np(from, to, RENAME_EXCL); }
#else
int rename_noreplace(const char *from, const char *to) {
  (void)from;
  (void)to;
  errno = ENOSYS;
  return -1;
}
#endif
