/** A view link to a folder: breadcrumbs inside it, its entries (open a folder, preview or
 *  download a file), and the folder being shown as one zip. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { PublicLinkView } from '@coffer/protocol';
import { formatBytes, formatDate } from '../../i18n/i18n';
import { Button, Icon } from '../../ui/index';
import { PreviewFrame } from '../preview/index';
import { linkSource } from './FilePage';
import { readLink } from './link-api';
import { linkProblem } from './problems';
import { t } from './messages';
import { saveFromLink } from './save';

type Entry = NonNullable<PublicLinkView['entries']>[number];

function Crumbs(props: { root: string; path: string; onOpen: (p: string) => void }) {
  const segs = props.path.split('/').filter(Boolean);
  const items = [{ label: props.root, path: '/' }, ...segs.map((s, i) => ({ label: s, path: '/' + segs.slice(0, i + 1).join('/') }))];
  return (
    <nav aria-label={t('folderPath')} class="link-crumbs">
      <ol>
        {items.map((c, i) => (
          <li key={c.path}>
            {i === items.length - 1 ? (
              <span aria-current="page">{c.label}</span>
            ) : (
              <a
                href={`?path=${encodeURIComponent(c.path)}`}
                onClick={(e) => {
                  e.preventDefault();
                  props.onOpen(c.path);
                }}
              >
                {c.label}
              </a>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

function FilePreviewDialog(props: { token: string; entry: Entry; password: string | undefined; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const src = useMemo(() => linkSource(props.token, props.entry.path, props.entry.name, props.entry.size, props.password), [props.entry.path, props.password]);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      class="preview"
      aria-labelledby="preview-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <PreviewFrame src={src} onClose={props.onClose} />
    </dialog>
  );
}

export function FolderPage(props: { token: string; view: PublicLinkView; rootName: string; path: string; password: string | undefined; onOpen: (path: string) => void }) {
  const { token, view, path, password } = props;
  const [entries, setEntries] = useState<Entry[]>(view.entries ?? []);
  const [cursor, setCursor] = useState(view.cursor);
  const [open, setOpen] = useState<Entry>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    setEntries(view.entries ?? []);
    setCursor(view.cursor);
  }, [view]);

  async function more() {
    try {
      const next = await readLink(token, { path, cursor, password });
      setEntries((e) => [...e, ...(next.entries ?? [])]);
      setCursor(next.cursor);
    } catch (err) {
      setError(linkProblem(err, true).text);
    }
  }
  async function save(p: string | undefined, name: string) {
    setError(undefined);
    try {
      await saveFromLink(token, p, name, password);
    } catch (err) {
      setError(linkProblem(err, true).text);
    }
  }
  const here = path === '/' ? props.rootName : view.name;
  return (
    <section class="link-folder" aria-labelledby="link-folder-title">
      <div class="link-file-head">
        <Icon name="folder" size={28} />
        <div class="link-file-title">
          <h1 id="link-folder-title">{here}</h1>
          <span class="muted">{t('sharedFolder')}</span>
        </div>
        <Button variant="primary" onClick={() => void save(path === '/' ? undefined : path, `${here}.zip`)}>
          <Icon name="download" />
          {t('downloadZip')}
        </Button>
      </div>
      {path !== '/' && <Crumbs root={props.rootName} path={path} onOpen={props.onOpen} />}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {entries.length === 0 && <p class="empty">{t('emptyFolder')}</p>}
      {entries.length > 0 && (
        <ul class="link-list" aria-label={here}>
          {entries.map((e) => (
            <li key={e.path} class="link-row">
              <Icon name={e.isDir ? 'folder' : 'file'} />
              {e.isDir ? (
                <a
                  href={`?path=${encodeURIComponent(e.path)}`}
                  onClick={(ev) => {
                    ev.preventDefault();
                    props.onOpen(e.path);
                  }}
                >
                  {e.name}
                </a>
              ) : (
                <button type="button" class="linklike" onClick={() => setOpen(e)}>
                  {e.name}
                </button>
              )}
              <span class="muted">{e.isDir ? t('folder') : formatBytes(e.size)}</span>
              <span class="muted">{formatDate(e.modifiedAt)}</span>
              {!e.isDir && (
                <Button variant="ghost" icon aria-label={t('downloadNamed', { name: e.name })} onClick={() => void save(e.path, e.name)}>
                  <Icon name="download" />
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <Button class="link-more" onClick={() => void more()}>
          {t('more')}
        </Button>
      )}
      {open && <FilePreviewDialog token={token} entry={open} password={password} onClose={() => setOpen(undefined)} />}
    </section>
  );
}
