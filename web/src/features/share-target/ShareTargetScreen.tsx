import { useEffect, useState } from 'preact/hooks';
import { filesHref, location, navigate } from '../../app/router';
import { formatBytes } from '../../i18n/i18n';
import { Button, Icon, ProgressBar, TextField, toast } from '../../ui/index';
import { listInbox, removeFromInbox, type SharedFile } from './inbox';
import { t } from './messages';
import { ensureFolder, uploadShared } from './upload';

/**
 * Where "Share → Coffer" lands (the service worker redirects here after keeping the files): what
 * came, a folder to put it in, and one button that uploads it all.
 */
export function ShareTargetScreen() {
  const query = location.value.query;
  const [files, setFiles] = useState<SharedFile[]>();
  const [folder, setFolder] = useState(t('defaultFolder'));
  const [busy, setBusy] = useState<{ name: string; done: number; total: number }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    void listInbox().then(setFiles, () => setFiles([]));
  }, []);

  async function upload(e: Event) {
    e.preventDefault();
    const dest = folder.trim().replace(/\/+$/, '') || '/';
    if (!dest.startsWith('/')) return setError(t('badFolder'));
    if (!files) return;
    setError(undefined);
    const total = files.reduce((s, f) => s + f.file.size, 0) || 1;
    let done = 0;
    try {
      if (dest !== '/') await ensureFolder(dest);
      for (const f of files) {
        setBusy({ name: f.name, done, total });
        try {
          await uploadShared(dest, f.name, f.file);
        } catch (err) {
          throw new Error(t('uploadFailed', { name: f.name, msg: err instanceof Error ? err.message : String(err) }));
        }
        await removeFromInbox(f.key);
        done += f.file.size;
      }
      toast(t('done', { n: files.length, folder: dest }));
      navigate(filesHref(dest), { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setFiles(await listInbox());
    } finally {
      setBusy(undefined);
    }
  }

  async function discard() {
    for (const f of files ?? []) await removeFromInbox(f.key);
    setFiles([]);
  }

  return (
    <section class="share-target" aria-labelledby="share-title">
      <h1 id="share-title">{t('title')}</h1>
      {query.get('failed') && <p class="form-error">{t('failed')}</p>}
      {query.get('lost') && <p class="form-error">{t('lost')}</p>}
      {files && files.length === 0 && <p class="empty">{t('nothing')}</p>}
      {files && files.length > 0 && (
        <form onSubmit={upload}>
          <p>{t('waiting', { n: files.length })}</p>
          <ul class="share-list">
            {files.map((f) => (
              <li key={f.key}>
                <Icon name={f.type.startsWith('image/') ? 'image' : 'file'} />
                <span class="share-name">{f.name}</span>
                <span class="muted">{formatBytes(f.file.size)}</span>
              </li>
            ))}
          </ul>
          <TextField label={t('folder')} hint={t('folderHint')} value={folder} onInput={(e) => setFolder(e.currentTarget.value)} autoCapitalize="none" spellcheck={false} disabled={!!busy} />
          {busy && (
            <div class="share-progress">
              <span>{t('uploading', { name: busy.name })}</span>
              <ProgressBar value={busy.done / busy.total} label={t('progress')} />
            </div>
          )}
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
          <div class="share-actions">
            <Button type="submit" variant="primary" disabled={!!busy}>
              <Icon name="upload" />
              {t('upload')}
            </Button>
            <Button variant="ghost" onClick={() => void discard()} disabled={!!busy}>
              {t('discard')}
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
