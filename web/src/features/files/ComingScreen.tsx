import { t } from './messages';
import { SearchBox } from './SearchBox';

/** Recent and Starred until the server's operations for them are on main. */
function Coming(p: { title: string }) {
  return (
    <section class="files-screen" aria-labelledby="list-title">
      <SearchBox />
      <h1 id="list-title" class="screen-title">
        {p.title}
      </h1>
      <p class="empty">{t('coming')}</p>
    </section>
  );
}

export const RecentScreen = () => <Coming title={t('recentTitle')} />;
export const StarredScreen = () => <Coming title={t('starredTitle')} />;
