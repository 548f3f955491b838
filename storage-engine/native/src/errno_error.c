#define _GNU_SOURCE
#include "errno_error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

napi_value errno_error(napi_env env, int err, const char *syscall, const char *path) {
  if (err == 0) err = EIO;
  const char *name = uv_err_name(-err);
  char msg[512];
  snprintf(msg, sizeof msg, "%s: %s, %s '%s'", name, strerror(err), syscall, path);
  napi_value code, message, error, call;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &call);
  napi_set_named_property(env, error, "syscall", call);
  return error;
}
