/** Latency tracing for the bench (COFFER_SYNC_TRACE=1): one `trace <what> <epoch ms>` line per step, on stderr. */
const on = process.env.COFFER_SYNC_TRACE === '1';

export function trace(what: string): void {
  if (on) process.stderr.write(`trace ${what} ${(performance.timeOrigin + performance.now()).toFixed(1)}\n`);
}

/** The API with each call's start and answer traced (`api> name`, `api< name`): the round trips of a pass. Itself when tracing is off. */
export function tracedApi<T extends object>(api: T): T {
  if (!on) return api;
  return new Proxy(api, {
    get(target, key, receiver) {
      const v: unknown = Reflect.get(target, key, receiver);
      if (typeof v !== 'function' || typeof key !== 'string' || key === 'events') return typeof v === 'function' ? v.bind(target) : v;
      return (...args: unknown[]) => {
        trace(`api> ${key}`);
        const out: unknown = v.apply(target, args);
        if (out instanceof Promise) return out.finally(() => trace(`api< ${key}`));
        return out;
      };
    },
  });
}
