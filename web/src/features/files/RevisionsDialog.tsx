/** A file's revisions: when, how big, restored from which; download an old one, restore it, or keep it forever. */
import { useEffect, useState } from 'preact/hooks';
import { userOperations as ops, type FileView, type Revision } from '@coffer/protocol';
import { call } from '../../api/client';
import { me } from '../../session/session';
import { formatBytes, formatDate } from '../../i18n/i18n';
import { Button, Dialog, Icon } from '../../ui/index';
import { downloadUrl, restoreRevision } from './actions';
import { t } from './messages';

export function RevisionsDialog(p: { f: FileView; onClose: () => void }) {
  const [revs, setRevs] = useState<Revision[]>();
  const [error, setError] = useState<string>();
  const [devices, setDevices] = useState<Map<string, string>>(new Map());
  const load = () =>
    call(ops.listRevisionsById, { params: { id: p.f.id }, query: { limit: 1000 } }).then(
      (r) => setRevs(r.revisions),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  useEffect(() => {
    void load();
    // Names of the caller's devices, to say where a revision came from (nothing if this fails).
    call(ops.listDevices).then(
      (d) => setDevices(new Map(d.devices.map((x) => [x.id, x.name]))),
      () => {},
    );
  }, [p.f.id]);
  const who = (r: Revision): string => {
    const by = r.authorId === null ? '' : r.authorId === me.value?.id ? t('byYou') : t('bySomeone');
    const from = r.deviceId === null ? '' : devices.has(r.deviceId) ? t('fromDevice', { name: devices.get(r.deviceId)! }) : t('byDevice');
    return [by, from].filter(Boolean).join(' ');
  };
  const head = revs?.[0]?.rev;
  return (
    <Dialog title={t('revisionsOf', { name: p.f.name })} onClose={p.onClose} actions={<Button onClick={p.onClose}>{t('close')}</Button>}>
      {error && <p class="form-error">{t('failed', { msg: error })}</p>}
      {revs === undefined && !error && <p class="muted">{t('loading')}</p>}
      {revs?.length === 0 && <p class="muted">{t('noRevisions')}</p>}
      <ul class="revs" aria-label={t('revisions')}>
        {revs?.map((r) => (
          <li key={r.rev} class="rev">
            <div class="rev-text">
              <strong>
                {t('rev', { n: r.rev })}
                {r.rev === head && <span class="badge">{t('current')}</span>}
                {r.keep && <span class="badge">{t('keptForever')}</span>}
              </strong>
              <span class="muted">
                {formatDate(r.createdAt)} · {formatBytes(r.size)}
                {r.restoredFrom !== null && ` · ${t('restoredFrom', { n: r.restoredFrom })}`}
                {who(r) && ` · ${who(r)}`}
              </span>
            </div>
            {/* Retention never thins a kept revision; while not the newest it counts against the quota. */}
            <Button
              variant="ghost"
              aria-label={t('keepRev', { n: r.rev })}
              aria-pressed={r.keep}
              onClick={() =>
                call(ops.keepRevision, { body: { id: p.f.id, rev: r.rev, keep: !r.keep } }).then(
                  () => load(),
                  (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
                )
              }
            >
              {t('keep')}
            </Button>
            <a class="btn btn-ghost btn-icon" href={downloadUrl(p.f, r.rev)} download={p.f.name} aria-label={t('downloadRev', { n: r.rev })}>
              <Icon name="download" />
            </a>
            {r.rev !== head && (
              <Button
                aria-label={t('restoreRev', { n: r.rev })}
                onClick={async () => {
                  if (await restoreRevision(p.f, r.rev)) await load();
                }}
              >
                {t('restore')}
              </Button>
            )}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
