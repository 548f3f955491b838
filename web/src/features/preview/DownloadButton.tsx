/** Downloading a row of a file list: a file's bytes, or a folder as one zip (streamed by the server). */
import { userOperations as ops, type FileView } from '@coffer/protocol';
import { urlOf } from '../../api/client';
import { Icon } from '../../ui/index';
import { t } from './messages';

export function downloadHref(f: FileView): string {
  return f.isDir ? urlOf(ops.downloadFolderZip, { params: { id: f.id } }) : urlOf(ops.downloadById, { params: { id: f.id } });
}

export function DownloadButton(props: { entry: FileView }) {
  const f = props.entry;
  return (
    <a class="btn btn-ghost btn-icon" href={downloadHref(f)} download={f.isDir ? `${f.name}.zip` : f.name} aria-label={t(f.isDir ? 'downloadZipNamed' : 'downloadNamed', { name: f.name })}>
      <Icon name="download" />
    </a>
  );
}
