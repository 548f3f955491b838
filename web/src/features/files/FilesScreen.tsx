import { useEffect, useState } from 'preact/hooks';
import { operations as ops, type FileView } from '@coffer/protocol';
import { call } from '../../api/client';
import { Link } from '../../app/Link';
import { drivePathOf, filesHref, location } from '../../app/router';
import { formatBytes, formatDate } from '../../i18n/i18n';
import { Icon } from '../../ui/index';
import { changeTick } from '../../live/changes';
import { DownloadButton, openPreview } from '../preview/index';
import { ShareButton } from '../sharing/index';
import { t } from './messages';
import { DropZone, UploadButton, uploadsCommitted } from '../transfers/index';

/** Every entry of a folder, following the listing's cursor page by page. */
async function listAll(path: string): Promise<FileView[]> {
  const all: FileView[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(ops.listFolder, { query: { path, limit: 1000, cursor } });
    all.push(...page.entries);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

function Breadcrumbs(props: { path: string }) {
  const segs = props.path.split('/').filter(Boolean);
  return (
    <nav aria-label={t('breadcrumbs')} class="crumbs">
      <ol>
        <li>
          <Link href="/files" aria-current={segs.length === 0 ? 'page' : undefined}>
            {t('root')}
          </Link>
        </li>
        {segs.map((s, i) => (
          <li key={i}>
            <Link href={filesHref('/' + segs.slice(0, i + 1).join('/'))} aria-current={i === segs.length - 1 ? 'page' : undefined}>
              {s}
            </Link>
          </li>
        ))}
      </ol>
    </nav>
  );
}

export function FilesScreen() {
  const path = drivePathOf(location.value.path);
  const [entries, setEntries] = useState<FileView[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    setEntries(undefined);
    setError(undefined);
    listAll(path).then(
      (e) => live && setEntries(e),
      (err: unknown) => live && setError(t('loadFailed', { msg: err instanceof Error ? err.message : String(err) })),
    );
    return () => {
      live = false;
    };
  }, [path, changeTick.value, uploadsCommitted.value]);
  return (
    <section aria-labelledby="files-title">
      <h1 id="files-title" class="sr-only">
        {t('title')}
      </h1>
      <Breadcrumbs path={path} />
      <UploadButton path={path} />
      <DropZone path={path}>
      {error && <p class="form-error">{error}</p>}
      {entries && entries.length === 0 && <p class="empty">{t('empty')}</p>}
      {entries && entries.length > 0 && (
        <ul class="file-list" aria-label={path}>
          {entries.map((f) => {
            const href = filesHref(`${path === '/' ? '' : path}/${f.name}`);
            return (
              <li key={f.id} class="file-row">
                <Icon name={f.isDir ? 'folder' : 'file'} />
                {f.isDir ? <Link href={href}>{f.name}</Link> : <button type="button" class="linklike" onClick={() => openPreview(f, entries)}>{f.name}</button>}
                <span class="muted">{f.isDir ? t('folder') : formatBytes(f.size)}</span>
                <span class="muted">{formatDate(f.modifiedAt)}</span>
                <DownloadButton entry={f} />
                <ShareButton entry={f} />
              </li>
            );
          })}
        </ul>
      )}
      </DropZone>
    </section>
  );
}
