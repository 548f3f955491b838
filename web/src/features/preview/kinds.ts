/** Which preview a file gets, by its name's extension (the server types content the same way). */
export type PreviewKind = 'image' | 'video' | 'audio' | 'pdf' | 'markdown' | 'html' | 'code' | 'text' | 'none';

const BY_EXT: Record<string, PreviewKind> = {};
function add(kind: PreviewKind, exts: string): void {
  for (const e of exts.split(' ')) BY_EXT[e] = kind;
}
// Raster images only: SVG can carry script, so it is shown as source.
add('image', 'png jpg jpeg gif webp avif bmp');
add('video', 'mp4 m4v webm mov ogv');
add('audio', 'mp3 m4a aac wav ogg oga opus flac');
add('pdf', 'pdf');
add('markdown', 'md markdown');
add('html', 'html htm xhtml');
add('code', 'js mjs cjs ts tsx jsx json css scss py rb go rs java kt c h cc cpp hpp cs php sh bash zsh sql yaml yml toml xml svg ini conf swift lua pl r dart vue');
add('text', 'txt log csv tsv text rst');

export function previewKind(name: string): PreviewKind {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return 'none';
  return BY_EXT[name.slice(dot + 1).toLowerCase()] ?? 'none';
}

/** Text previews read at most this much (a 2 GB log is shown by its start). */
export const TEXT_PREVIEW_BYTES = 1024 * 1024;
