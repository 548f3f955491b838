/** Recent files (newest first, as the server orders them) and starred entries. */
import { userOperations as ops } from '@coffer/protocol';
import { call } from '../../api/client';
import { EntryListScreen } from './EntryListScreen';
import { allPages } from './listing';
import { t } from './messages';

/** How many recent files the screen shows (the newest; the list is for picking up work). */
const RECENT = 200;

export function RecentScreen() {
  return <EntryListScreen title={t('recentTitle')} empty={t('recentEmpty')} deps={[]} load={async () => (await call(ops.listRecent, { query: { limit: RECENT } })).entries} />;
}

export function StarredScreen() {
  return <EntryListScreen title={t('starredTitle')} empty={t('starredEmpty')} deps={[]} load={() => allPages((cursor) => call(ops.listStarred, { query: { limit: 1000, cursor } }))} />;
}
