/** Opening an entry: a folder is browsed; a file is previewed (downloaded until previews exist). */
import type { FileView } from '@coffer/protocol';
import { filesHref, navigate } from '../../app/router';
import { download } from './actions';

/** The one line to swap for the preview feature's opener. */
const openFile = (f: FileView): void => download(f);

export function openEntry(f: FileView): void {
  if (f.isDir) navigate(filesHref(f.path));
  else openFile(f);
}
