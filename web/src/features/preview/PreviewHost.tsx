/**
 * The previewer, mounted once (App.tsx): full screen on phones, a large dialog on desktops, with
 * the file's name, download, previous/next (buttons, ← →, swipe) and close (button, Escape).
 */
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { formatBytes } from '../../i18n/i18n';
import { Icon } from '../../ui/index';
import { t } from './messages';
import { PreviewBody } from './PreviewBody';
import { closePreview, preview, stepPreview } from './preview-state';
import { driveSource, type PreviewSource } from './source';

/** The frame around a preview (also used by the public link's file page, with its own source). */
export function PreviewFrame(props: { src: PreviewSource; onClose?: () => void; onStep?: (by: 1 | -1) => void; hasPrev?: boolean; hasNext?: boolean; position?: string }) {
  const { src } = props;
  return (
    <div class="preview-frame-box">
      <header class="preview-bar">
        <div class="preview-title">
          <h2 id="preview-title">{src.name}</h2>
          <span class="muted">
            {formatBytes(src.size)}
            {props.position ? ` · ${props.position}` : ''}
          </span>
        </div>
        {props.onStep && (
          <>
            <button type="button" class="btn btn-ghost btn-icon" aria-label={t('previous')} disabled={!props.hasPrev} onClick={() => props.onStep!(-1)}>
              <Icon name="back" />
            </button>
            <button type="button" class="btn btn-ghost btn-icon flip" aria-label={t('next')} disabled={!props.hasNext} onClick={() => props.onStep!(1)}>
              <Icon name="back" />
            </button>
          </>
        )}
        {src.downloadUrl ? (
          <a class="btn btn-ghost btn-icon" href={src.downloadUrl} download={src.name} aria-label={t('download')}>
            <Icon name="download" />
          </a>
        ) : null}
        {props.onClose && (
          <button type="button" class="btn btn-ghost btn-icon" aria-label={t('close')} onClick={props.onClose}>
            <Icon name="close" />
          </button>
        )}
      </header>
      <div class="preview-body">
        <PreviewBody src={src} />
      </div>
    </div>
  );
}

export function PreviewHost() {
  const p = preview.value;
  const ref = useRef<HTMLDialogElement>(null);
  const file = p ? p.files[p.index] : undefined;
  const src = useMemo(() => (file ? driveSource(file) : undefined), [file?.id, file?.rev]);
  const touch = useRef<number | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (p && d && !d.open) d.showModal();
  }, [!!p]);

  // On the document: focus may have left the dialog (a button that just became disabled).
  useEffect(() => {
    if (!p) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLElement && /^(INPUT|TEXTAREA|SELECT|VIDEO|AUDIO)$/.test(e.target.tagName)) return;
      if (e.key === 'ArrowLeft') stepPreview(-1);
      else if (e.key === 'ArrowRight') stepPreview(1);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [!!p]);

  if (!p || !src) return null;
  return (
    <dialog
      ref={ref}
      class="preview"
      aria-labelledby="preview-title"
      onCancel={(e) => {
        e.preventDefault();
        closePreview();
      }}
      onTouchStart={(e) => (touch.current = e.touches[0]?.clientX ?? null)}
      onTouchEnd={(e) => {
        const x0 = touch.current;
        const x1 = e.changedTouches[0]?.clientX;
        touch.current = null;
        if (x0 !== null && x1 !== undefined && Math.abs(x1 - x0) > 60) stepPreview(x1 < x0 ? 1 : -1);
      }}
    >
      <PreviewFrame
        src={src}
        onClose={closePreview}
        onStep={p.files.length > 1 ? stepPreview : undefined}
        hasPrev={p.index > 0}
        hasNext={p.index < p.files.length - 1}
        position={p.files.length > 1 ? t('position', { i: p.index + 1, n: p.files.length }) : undefined}
      />
    </dialog>
  );
}
