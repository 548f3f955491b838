/**
 * The preview of one file, by kind: an image, a player, the browser's PDF viewer, text or code,
 * Markdown rendered safely, HTML as its source (or rendered in a sandboxed frame with no script
 * and an opaque origin). Stored content never runs as the app: see each case.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatBytes } from '../../i18n/i18n';
import { previewKind, TEXT_PREVIEW_BYTES } from './kinds';
import { renderMarkdown } from './markdown';
import { t } from './messages';
import type { PreviewSource } from './source';

/** The start of a file as text (at most TEXT_PREVIEW_BYTES), and whether there is more. */
function useText(src: PreviewSource, wanted: boolean): { text?: string; truncated: boolean; error?: string } {
  const [state, setState] = useState<{ text?: string; truncated: boolean; error?: string }>({ truncated: false });
  useEffect(() => {
    if (!wanted) return;
    const ac = new AbortController();
    setState({ truncated: false });
    const range: [number, number] | undefined = src.size > TEXT_PREVIEW_BYTES ? [0, TEXT_PREVIEW_BYTES - 1] : undefined;
    src
      .fetch({ signal: ac.signal, ...(range ? { range } : {}) })
      .then((r) => r.arrayBuffer())
      .then((buf) => setState({ text: new TextDecoder('utf-8', { fatal: false }).decode(buf), truncated: range !== undefined }))
      .catch((err: unknown) => !ac.signal.aborted && setState({ truncated: false, error: err instanceof Error ? err.message : String(err) }));
    return () => ac.abort();
  }, [src.key, wanted]);
  return state;
}

/** A blob: URL of the whole file (media behind a link password, PDFs). */
function useBlobUrl(src: PreviewSource, wanted: boolean, type?: string, check?: (head: Uint8Array) => boolean): { url?: string; error?: string } {
  const [state, setState] = useState<{ url?: string; error?: string }>({});
  useEffect(() => {
    if (!wanted) return;
    const ac = new AbortController();
    let url: string | undefined;
    setState({});
    src
      .fetch({ signal: ac.signal })
      .then((r) => r.blob())
      .then(async (b) => {
        if (check && !check(new Uint8Array(await b.slice(0, 8).arrayBuffer()))) throw new Error(t('notThisKind'));
        url = URL.createObjectURL(type ? new Blob([b], { type }) : b);
        if (ac.signal.aborted) URL.revokeObjectURL(url);
        else setState({ url });
      })
      .catch((err: unknown) => !ac.signal.aborted && setState({ error: err instanceof Error ? err.message : String(err) }));
    return () => {
      ac.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [src.key, wanted]);
  return state;
}

const isPdf = (head: Uint8Array) => new TextDecoder().decode(head.slice(0, 5)) === '%PDF-';

function Loading() {
  return (
    <div class="preview-status" role="status">
      <div class="spinner" />
      <span class="sr-only">{t('loading')}</span>
    </div>
  );
}

function Failed(props: { error: string }) {
  return (
    <p class="preview-status form-error" role="alert">
      {t('failed', { msg: props.error })}
    </p>
  );
}

function TextView(props: { src: PreviewSource; code: boolean }) {
  const s = useText(props.src, true);
  if (s.error) return <Failed error={s.error} />;
  if (s.text === undefined) return <Loading />;
  return (
    <div class="preview-text-wrap">
      {s.truncated && <p class="muted">{t('truncated', { size: formatBytes(TEXT_PREVIEW_BYTES) })}</p>}
      <pre class={`preview-text${props.code ? ' code' : ''}`} tabIndex={0} aria-label={props.src.name}>
        {s.text}
      </pre>
    </div>
  );
}

function MarkdownView(props: { src: PreviewSource }) {
  const s = useText(props.src, true);
  const ref = useRef<HTMLDivElement>(null);
  const [err, setErr] = useState<string>();
  useEffect(() => {
    if (s.text !== undefined && ref.current) renderMarkdown(s.text, ref.current).catch((e: unknown) => setErr(String(e)));
  }, [s.text]);
  if (s.error || err) return <Failed error={(s.error ?? err)!} />;
  if (s.text === undefined) return <Loading />;
  return <article class="preview-markdown" ref={ref} />;
}

/** HTML: its source as text, or rendered in a frame sandboxed without scripts (an opaque origin:
 *  no cookies, no storage, no calls as the user; it also inherits the app's CSP). */
function HtmlView(props: { src: PreviewSource }) {
  const [rendered, setRendered] = useState(false);
  const s = useText(props.src, true);
  if (s.error) return <Failed error={s.error} />;
  if (s.text === undefined) return <Loading />;
  return (
    <div class="preview-text-wrap">
      <div class="preview-toggle" role="group" aria-label={t('htmlView')}>
        <button type="button" class="btn" aria-pressed={!rendered} onClick={() => setRendered(false)}>
          {t('source')}
        </button>
        <button type="button" class="btn" aria-pressed={rendered} onClick={() => setRendered(true)}>
          {t('renderedNoScripts')}
        </button>
      </div>
      {rendered ? (
        <iframe class="preview-frame" title={t('renderedTitle', { name: props.src.name })} sandbox="" referrerpolicy="no-referrer" srcdoc={s.text} />
      ) : (
        <pre class="preview-text code" tabIndex={0} aria-label={props.src.name}>
          {s.text}
        </pre>
      )}
    </div>
  );
}

function MediaView(props: { src: PreviewSource; kind: 'image' | 'video' | 'audio' }) {
  // A thumbnail the server cannot make (a format it does not decode, too many pixels): the file itself.
  const [noThumb, setNoThumb] = useState(false);
  const direct = props.kind === 'image' && !noThumb ? (props.src.imageUrl ?? props.src.inlineUrl) : props.src.inlineUrl;
  const blob = useBlobUrl(props.src, direct === undefined);
  const url = direct ?? blob.url;
  if (blob.error) return <Failed error={blob.error} />;
  if (!url) return <Loading />;
  if (props.kind === 'image') return <img class="preview-image" src={url} alt={props.src.name} onError={() => !noThumb && props.src.imageUrl && setNoThumb(true)} />;
  if (props.kind === 'video') return <video class="preview-video" src={url} controls preload="metadata" aria-label={props.src.name} />;
  return <audio class="preview-audio" src={url} controls preload="metadata" aria-label={props.src.name} />;
}

/** PDF: the browser's own viewer on a blob of the bytes (the server always sends PDFs as
 *  attachments: they carry script and forms), once the bytes prove to be a PDF. */
function PdfView(props: { src: PreviewSource }) {
  const blob = useBlobUrl(props.src, true, 'application/pdf', isPdf);
  if (blob.error) return <Failed error={blob.error} />;
  if (!blob.url) return <Loading />;
  return <iframe class="preview-frame" title={props.src.name} src={blob.url} />;
}

export function PreviewBody(props: { src: PreviewSource }) {
  const kind = previewKind(props.src.name);
  switch (kind) {
    case 'image':
    case 'video':
    case 'audio':
      return <MediaView key={props.src.key} src={props.src} kind={kind} />;
    case 'pdf':
      return <PdfView key={props.src.key} src={props.src} />;
    case 'markdown':
      return <MarkdownView key={props.src.key} src={props.src} />;
    case 'html':
      return <HtmlView key={props.src.key} src={props.src} />;
    case 'code':
    case 'text':
      return <TextView key={props.src.key} src={props.src} code={kind === 'code'} />;
    default:
      return <p class="preview-status empty">{t('noPreview')}</p>;
  }
}
