/**
 * What a drop or a picker brings, as files with the folder each goes into: a dropped folder is
 * walked whole (FileSystemEntry tree via webkitGetAsEntry, which every current browser has), a
 * folder picked with <input webkitdirectory> carries webkitRelativePath.
 */
import type { PickedFile } from './transfers';

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries answers in batches (Chromium: 100) until an empty one.
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(all);
        all.push(...batch);
        next();
      }, reject);
    next();
  });
}

const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));

async function walk(entry: FileSystemEntry, relDir: string, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    out.push({ file: await fileOf(entry as FileSystemFileEntry), relDir });
  } else if (entry.isDirectory) {
    const dir = relDir ? `${relDir}/${entry.name}` : entry.name;
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await walk(child, dir, out);
  }
}

/** The files of a drop, folders walked; entries are taken synchronously (the DataTransfer empties after the event). */
export async function droppedFiles(dt: DataTransfer): Promise<PickedFile[]> {
  const entries: FileSystemEntry[] = [];
  const plain: File[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) plain.push(f);
    }
  }
  if (entries.length === 0 && plain.length === 0) plain.push(...Array.from(dt.files));
  const out: PickedFile[] = plain.map((file) => ({ file, relDir: '' }));
  for (const e of entries) await walk(e, '', out);
  return out;
}

/** Files from an <input type=file>; with webkitdirectory each carries its path inside the picked folder. */
export function pickedFiles(list: FileList | null): PickedFile[] {
  return Array.from(list ?? []).map((file) => {
    const rel = file.webkitRelativePath || '';
    const cut = rel.lastIndexOf('/');
    return { file, relDir: cut > 0 ? rel.slice(0, cut) : '' };
  });
}
