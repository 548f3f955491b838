#ifndef COFFER_DURABLE_WRITE_H
#define COFFER_DURABLE_WRITE_H
#include <node_api.h>

/* durableWrite(tmp, path, dir, root, parts): Promise<void> — see durable_write.c. */
napi_value durable_write_js(napi_env env, napi_callback_info info);

#endif
