#ifndef COFFER_ERRNO_ERROR_H
#define COFFER_ERRNO_ERROR_H
#include <node_api.h>

/* The Error a failed file job rejects with, as node's fs would make it: `code` the errno's name
 * (ENOENT, EIO, ...; EIO when `err` is 0), `syscall` the call that failed, the path in the message. */
napi_value errno_error(napi_env env, int err, const char *syscall, const char *path);

#endif
