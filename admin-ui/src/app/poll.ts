/**
 * Live-ish pages: `usePoll(load, ms)` runs `load` at once, then every `ms` while the page is
 * mounted and the tab visible (and at once when it becomes visible again). Overlapping runs are
 * skipped, so a slow server never piles requests up. `refresh()` runs it now (after an action).
 */
import { useCallback, useEffect, useRef } from 'preact/hooks';

export function usePoll(load: () => Promise<void>, ms: number): () => Promise<void> {
  const busy = useRef(false);
  const latest = useRef(load);
  latest.current = load;
  const run = useCallback(async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      await latest.current();
    } finally {
      busy.current = false;
    }
  }, []);
  useEffect(() => {
    void run();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void run();
    }, ms);
    const onVisible = () => document.visibilityState === 'visible' && void run();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [ms]);
  return run;
}
