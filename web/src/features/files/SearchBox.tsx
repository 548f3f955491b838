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
  return createPortal(
    <form
      class="searchbox"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const v = q.trim();
        if (v) navigate(`/search?q=${encodeURIComponent(v)}`);
      }}
    >
      <Icon name="search" />
      <input id={SEARCH_INPUT_ID} type="search" class="input" aria-label={t('searchLabel')} placeholder={t('search')} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} enterKeyHint="search" />
    </form>,
    slot,
  );
}
