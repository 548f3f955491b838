/** Uploads: what other screens mount (the folder screen's drop zone and button, the shell's panel) and the signal they watch. */
export { DropZone } from './DropZone';
export { TransferPanel } from './TransferPanel';
export { UploadButton } from './UploadButton';
export { uploadsCommitted } from './transfers';
