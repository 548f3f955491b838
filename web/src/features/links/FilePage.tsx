/** A view link to one file: its name and size, a download button, and its preview. */
import { useMemo, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { PublicLinkView } from '@coffer/protocol';
import { formatBytes } from '../../i18n/i18n';
import { Button, Icon } from '../../ui/index';
import { PreviewBody, type PreviewSource } from '../preview/index';
import { downloadUrl, fetchBytes } from './link-api';
import { t } from './messages';
import { saveFromLink } from './save';
import { linkProblem } from './problems';

/** A file inside a link as a preview source (direct URLs only when no password is needed). */
export function linkSource(token: string, path: string | undefined, name: string, size: number, password: string | undefined): PreviewSource {
  const direct = password === undefined ? downloadUrl(token, path) : undefined;
  return {
    key: `${token}:${path ?? '/'}`,
    name,
    size,
    ...(direct ? { inlineUrl: direct, downloadUrl: direct } : {}),
    fetch: ({ signal, range }) => fetchBytes(token, { path, password, signal, ...(range ? { range } : {}) }),
  };
}

export function FileHeader(props: { name: string; size: number; onDownload: () => Promise<void>; extra?: ComponentChildren }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <div class="link-file-head">
      <Icon name="file" size={28} />
      <div class="link-file-title">
        <h1>{props.name}</h1>
        <span class="muted">{formatBytes(props.size)}</span>
      </div>
      {props.extra}
      <Button
        variant="primary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(undefined);
          props
            .onDownload()
            .catch((err: unknown) => setError(linkProblem(err, true).text))
            .finally(() => setBusy(false));
        }}
      >
        <Icon name="download" />
        {t('download')}
      </Button>
      {error && (
        <p class="form-error link-file-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function FilePage(props: { token: string; view: PublicLinkView; password: string | undefined }) {
  const { token, view, password } = props;
  const src = useMemo(() => linkSource(token, undefined, view.name, view.size, password), [token, view.name, password]);
  return (
    <article class="link-file">
      <FileHeader name={view.name} size={view.size} onDownload={() => saveFromLink(token, undefined, view.name, password)} />
      <div class="link-preview">
        <PreviewBody src={src} />
      </div>
    </article>
  );
}
