/**
 * What can be done to entries from any files screen (folder, search): the row menu's items, the
 * keys Delete and F2, and the dialogs they open (rename, move, details, revisions, help).
 */
import type { FileView } from '@coffer/protocol';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { MenuItem } from '../../ui/index';
import { download, rename, setStar, trash } from './actions';
import { openShareDialog } from '../sharing/index';
import { DetailsDialog } from './DetailsDialog';
import type { KeyAction } from './FileBrowser';
import { HelpDialog } from './HelpDialog';
import { parentOf } from './listing';
import { t } from './messages';
import { MoveDialog } from './MoveDialog';
import { openEntry } from './open';
import { PromptDialog } from './PromptDialog';
import { RevisionsDialog } from './RevisionsDialog';

export type Open =
  | { kind: 'rename'; f: FileView }
  | { kind: 'move'; entries: FileView[] }
  | { kind: 'details'; f: FileView }
  | { kind: 'revisions'; f: FileView }
  | { kind: 'help' }
  | { kind: 'other'; node: ComponentChildren };

export function useEntryActions(clearSelection: () => void) {
  const [open, setOpen] = useState<Open>();
  const close = () => setOpen(undefined);

  const menuItems = (f: FileView, targets: FileView[]): MenuItem[] => {
    const one = targets.length <= 1;
    const items: MenuItem[] = [];
    if (one) items.push({ label: t('open'), icon: f.isDir ? 'folder' : 'file', run: () => openEntry(f) });
    if (one) items.push({ label: t('download'), icon: 'download', run: () => download(f) });
    if (one) items.push({ label: t('share'), icon: 'share', run: () => openShareDialog(f) });
    if (one) items.push({ label: t('rename'), icon: 'edit', run: () => setOpen({ kind: 'rename', f }) });
    items.push({ label: t('moveTo'), icon: 'move', run: () => setOpen({ kind: 'move', entries: targets }) });
    if (one && !f.isDir) items.push({ label: t('revisions'), icon: 'history', run: () => setOpen({ kind: 'revisions', f }) });
    if (one) items.push({ label: f.starred ? t('unstar') : t('star'), icon: f.starred ? 'starOutline' : 'star', run: () => void setStar(f, !f.starred) });
    if (one) items.push({ label: t('details'), icon: 'file', run: () => setOpen({ kind: 'details', f }) });
    items.push({
      label: t('delete'),
      icon: 'trash',
      danger: true,
      run: () => {
        clearSelection();
        void trash(targets);
      },
    });
    return items;
  };

  const onKeyAction = (a: KeyAction, targets: FileView[]) => {
    if (a === 'rename' && targets[0]) setOpen({ kind: 'rename', f: targets[0] });
    if (a === 'delete' && targets.length) {
      clearSelection();
      void trash(targets);
    }
  };

  let dialog = null;
  if (open?.kind === 'rename') {
    const f = open.f;
    dialog = <PromptDialog title={t('rename')} label={t('newName')} initial={f.name} submit={t('save')} onSubmit={(name) => rename(f, name)} onClose={close} />;
  } else if (open?.kind === 'move') dialog = <MoveDialog entries={open.entries} start={parentOf(open.entries[0]?.path ?? '/')} onClose={close} />;
  else if (open?.kind === 'details') dialog = <DetailsDialog f={open.f} onClose={close} />;
  else if (open?.kind === 'revisions') dialog = <RevisionsDialog f={open.f} onClose={close} />;
  else if (open?.kind === 'help') dialog = <HelpDialog onClose={close} />;
  else if (open?.kind === 'other') dialog = open.node;

  return { menuItems, onKeyAction, dialog, setOpen, close };
}
