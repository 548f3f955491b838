import type { FileView } from '@coffer/protocol';
import { formatBytes, formatDate } from '../../i18n/i18n';
import { Button, Dialog } from '../../ui/index';
import { t } from './messages';

export function DetailsDialog(p: { f: FileView; onClose: () => void }) {
  const f = p.f;
  const rows: [string, string][] = [
    [t('kind'), f.isDir ? t('folder') : t('file')],
    [t('path'), f.path],
    ...(f.isDir ? [] : ([[t('size'), formatBytes(f.size)], [t('revision'), String(f.rev)]] as [string, string][])),
    [t('modified'), formatDate(f.modifiedAt)],
    [t('created'), formatDate(f.createdAt)],
  ];
  return (
    <Dialog title={f.name} onClose={p.onClose} actions={<Button onClick={p.onClose}>{t('close')}</Button>}>
      <dl class="details">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
