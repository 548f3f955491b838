#ifndef COFFER_DIRECT_READ_H
#define COFFER_DIRECT_READ_H
#include <node_api.h>

/* directRead(path, into): Promise<number> — see direct_read.c. */
napi_value direct_read_js(napi_env env, napi_callback_info info);

#endif
