/**
 * What a public link opens for anyone (no account): a password prompt when it needs one, then a
 * file page (preview and download), a folder page (browse inside it, download a file or the
 * folder as a zip) or a file-drop page (upload into it). Expired, used-up, unknown links and
 * wrong passwords are said plainly.
 */
import { useEffect, useState } from 'preact/hooks';
import type { PublicLinkView } from '@coffer/protocol';
import { LanguageSwitch } from '../../app/LanguageSwitch';
import { location, navigate } from '../../app/router';
import { ThemeSwitch } from '../../app/ThemeSwitch';
import { Button, Icon, TextField } from '../../ui/index';
import { DropPage } from './DropPage';
import { FolderPage } from './FolderPage';
import { FilePage } from './FilePage';
import { readLink } from './link-api';
import { linkProblem } from './problems';
import { t } from './messages';

function PasswordForm(props: { problem: string; onPassword: (p: string) => void; busy: boolean }) {
  const [pw, setPw] = useState('');
  return (
    <form
      class="card link-card"
      onSubmit={(e) => {
        e.preventDefault();
        if (pw) props.onPassword(pw);
      }}
    >
      <h1>{t('protectedTitle')}</h1>
      <p role="alert" class="link-problem">
        {props.problem}
      </p>
      <TextField label={t('password')} type="password" autoComplete="current-password" value={pw} onInput={(e) => setPw(e.currentTarget.value)} required />
      <Button type="submit" variant="primary" disabled={props.busy || !pw}>
        {t('open')}
      </Button>
    </form>
  );
}

export function LinkPage(props: { params: string[] }) {
  const token = props.params[0] ?? '';
  const path = location.value.query.get('path') ?? undefined;
  const [password, setPassword] = useState<string>();
  /** Bumped on every password given, so the same (wrong) one asked again is checked again. */
  const [attempt, setAttempt] = useState(0);
  const [view, setView] = useState<PublicLinkView>();
  const [problem, setProblem] = useState<{ text: string; askPassword: boolean }>();
  const [busy, setBusy] = useState(true);
  /** The linked folder's own name (an answer for a path inside names that entry instead). */
  const [rootName, setRootName] = useState<string>();

  useEffect(() => {
    const ac = new AbortController();
    setBusy(true);
    readLink(token, { path, password, signal: ac.signal }).then(
      (v) => {
        setView(v);
        if (path === undefined || path === '/') setRootName(v.name);
        setProblem(undefined);
        setBusy(false);
      },
      (err: unknown) => {
        if (ac.signal.aborted) return;
        setView(undefined);
        setProblem(linkProblem(err, password !== undefined));
        setBusy(false);
      },
    );
    return () => ac.abort();
  }, [token, path, password, attempt]);

  useEffect(() => {
    document.title = view ? `${view.name} · Coffer` : 'Coffer';
  }, [view?.name]);

  let body;
  if (view) {
    if (view.kind === 'drop') body = <DropPage token={token} view={view} password={password} />;
    else if (view.isDir) body = <FolderPage token={token} view={view} rootName={rootName ?? t('sharedFolder')} path={path ?? '/'} password={password} onOpen={(p) => navigate(`/s/${token}${p === '/' ? '' : `?path=${encodeURIComponent(p)}`}`)} />;
    else body = <FilePage token={token} view={view} password={password} />;
  } else if (problem?.askPassword) {
    body = <PasswordForm problem={problem.text} busy={busy} onPassword={(p) => {
          setPassword(p);
          setAttempt((n) => n + 1);
        }} />;
  } else if (problem) {
    body = (
      <div class="card link-card">
        <h1>{t('cannotOpen')}</h1>
        <p role="alert" class="link-problem">
          {problem.text}
        </p>
      </div>
    );
  } else {
    body = (
      <p class="muted link-loading" role="status">
        {t('loading')}
      </p>
    );
  }

  return (
    <div class="link-shell">
      <header class="topbar link-top">
        <span class="brand">
          <Icon name="link" /> Coffer
        </span>
        <span class="link-top-fill" />
        <ThemeSwitch />
        <LanguageSwitch />
      </header>
      <main id="main" class="link-main" tabIndex={-1}>
        {body}
      </main>
    </div>
  );
}
