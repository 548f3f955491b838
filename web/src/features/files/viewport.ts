/** The scroll position and size of a scrolling element, as state (for the virtualised list). */
import { useEffect, useState } from 'preact/hooks';
import type { RefObject } from 'preact';

export interface Viewport {
  top: number;
  height: number;
  width: number;
}

export function useViewport(ref: RefObject<HTMLElement | null>): Viewport {
  const [vp, setVp] = useState<Viewport>({ top: 0, height: 800, width: 800 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const read = () => setVp((v) => (v.top === el.scrollTop && v.height === el.clientHeight && v.width === el.clientWidth ? v : { top: el.scrollTop, height: el.clientHeight, width: el.clientWidth }));
    read();
    el.addEventListener('scroll', read, { passive: true });
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => {
      el.removeEventListener('scroll', read);
      ro.disconnect();
    };
  }, [ref.current]);
  return vp;
}
