/** The page-wide keys of the files screens: '/' goes to the search box, '?' opens the shortcuts. */
import { useEffect } from 'preact/hooks';

export const SEARCH_INPUT_ID = 'files-search';

export function usePageKeys(onHelp: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || el.closest('input, textarea, select, [contenteditable], dialog')) return;
      if (e.key === '/') {
        const input = document.getElementById(SEARCH_INPUT_ID);
        if (!input) return;
        e.preventDefault();
        input.focus();
      } else if (e.key === '?') {
        e.preventDefault();
        onHelp();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
