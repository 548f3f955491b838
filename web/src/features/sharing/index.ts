/** Sharing: `openShareDialog(entry)` from a file list; `<ShareHost/>` mounted once in App; the /shared screen. */
export { openShareDialog, closeShareDialog } from './share-state';
export { ShareHost } from './ShareDialog';
export { ShareButton } from './ShareButton';
