/** Opening an entry: a folder is browsed; a file is previewed (with its neighbours to page through). */
import type { FileView } from '@coffer/protocol';
import { filesHref, navigate } from '../../app/router';
import { openPreview } from '../preview/index';

export function openEntry(f: FileView, siblings?: FileView[]): void {
  if (f.isDir) navigate(filesHref(f.path));
  else openPreview(f, siblings);
}
