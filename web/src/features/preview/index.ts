/** Previews: `openPreview(entry, siblings?)` from a file list; `<PreviewHost/>` mounted once in App. */
export { openPreview, closePreview } from './preview-state';
export { PreviewHost, PreviewFrame } from './PreviewHost';
export { PreviewBody } from './PreviewBody';
export { previewKind } from './kinds';
export type { PreviewSource } from './source';
export { DownloadButton, downloadHref } from './DownloadButton';
