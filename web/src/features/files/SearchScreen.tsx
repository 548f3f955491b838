import { userOperations as ops } from '@coffer/protocol';
import { call } from '../../api/client';
import { location } from '../../app/router';
import { EntryListScreen } from './EntryListScreen';
import { t } from './messages';
import { SearchBox } from './SearchBox';

/** /search?q=: entries whose name contains q, each with its folder. */
export function SearchScreen() {
  const q = (location.value.query.get('q') ?? '').trim();
  if (!q) {
    return (
      <section class="files-screen" aria-labelledby="list-title">
        <SearchBox />
        <h1 id="list-title" class="screen-title">
          {t('searchTitle')}
        </h1>
        <p class="empty">{t('typeToSearch')}</p>
      </section>
    );
  }
  return (
    <EntryListScreen
      key={q}
      title={t('results', { q })}
      empty={t('noResults', { q })}
      sorted
      deps={[q]}
      load={async () => (await call(ops.search, { query: { q, limit: 1000 } })).entries}
    />
  );
}
