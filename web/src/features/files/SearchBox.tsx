/** The search field in the top bar (#topbar-slot): Enter opens /search?q=. */
import { createPortal } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { location, navigate } from '../../app/router';
import { Icon } from '../../ui/index';
import { SEARCH_INPUT_ID } from './keys';
import { t } from './messages';

export function SearchBox() {
  const [slot, setSlot] = useState<HTMLElement | null>(null);
  const [q, setQ] = useState(location.value.path === '/search' ? (location.value.query.get('q') ?? '') : '');
  useEffect(() => setSlot(document.getElementById('topbar-slot')), []);
  if (!slot) return null;
  const submit = () => {
    const v = q.trim();
    if (v) navigate(`/search?q=${encodeURIComponent(v)}`);
  };
  // A search landmark rather than a <form>: nothing here posts, and page scripts that look for "the"
  // form of a page (the share target's) must not find this one.
  return createPortal(
    <div class="searchbox" role="search">
      <Icon name="search" />
      <input
        id={SEARCH_INPUT_ID}
        type="search"
        class="input"
        aria-label={t('searchLabel')}
        placeholder={t('search')}
        value={q}
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            submit();
          }
        }}
        enterKeyHint="search"
      />
    </div>,
    slot,
  );
}
