import type { AdminJournal } from '@coffer/protocol';
import { formatAgo, formatCount, formatSize } from '../../app/format';
import { Section } from '../../app/Page';
import { messages } from '@coffer/web/i18n';

const t = messages(
  {
    journal: 'Change journal',
    journalSize: '{rows} changes, {bytes} on disk.',
    journalOldest: 'Oldest kept: {when}. Changes older than {days} days are pruned daily; a device offline longer lists its files again.',
    journalEmpty: 'No changes recorded yet.',
  },
  {
    journal: '변경 기록',
    journalSize: '변경 {rows}건, 디스크 {bytes}.',
    journalOldest: '가장 오래된 기록: {when}. {days}일보다 오래된 변경은 매일 정리되며, 그보다 오래 오프라인인 기기는 파일 목록을 다시 받습니다.',
    journalEmpty: '아직 기록된 변경이 없습니다.',
  },
);

/** The change journal's size and oldest entry (issue 23: it is pruned past the retention window). */
export function JournalSection(props: { journal: AdminJournal }) {
  const j = props.journal;
  return (
    <Section title={t('journal')} id="journal">
      <p>{t('journalSize', { rows: formatCount(j.rows), bytes: formatSize(j.bytes) })}</p>
      <p class="muted">{j.oldestAt ? t('journalOldest', { when: formatAgo(j.oldestAt), days: String(j.retentionDays) }) : t('journalEmpty')}</p>
    </Section>
  );
}
