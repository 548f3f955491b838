/**
 * /shared: "Shared with me" (offers to accept — it then appears at my root — or decline, and
 * accepted ones to open or leave) and "Shared by me" (what I shared, to whom; revoke). It
 * refreshes by itself when a share is offered, accepted or revoked (the live feed's sharesTick).
 */
import { useEffect, useState } from 'preact/hooks';
import { userOperations as ops, type Share } from '@coffer/protocol';
import { call } from '../../api/client';
import { filesHref, navigate } from '../../app/router';
import { formatDate } from '../../i18n/i18n';
import { sharesTick } from '../../live/changes';
import { Button, Icon } from '../../ui/index';
import { errorText } from './errors';
import { t } from './messages';

type Tab = 'incoming' | 'outgoing';

function IncomingRow(props: { share: Share; onChanged: () => void; onError: (e: string) => void }) {
  const s = props.share;
  const [busy, setBusy] = useState(false);
  async function run(f: () => Promise<unknown>) {
    setBusy(true);
    try {
      await f();
      props.onChanged();
    } catch (err) {
      props.onError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  const accept = () => run(() => call(ops.acceptShare, { params: { id: s.id }, body: {} }));
  const decline = () => run(() => call(ops.declineShare, { params: { id: s.id } }));
  return (
    <li class="share-card">
      <Icon name={s.isDir ? 'folder' : 'file'} />
      <div class="share-card-text">
        <span class="share-card-name">{s.name}</span>
        <span class="muted">
          {t('fromOwner', { owner: s.owner.username })} · {s.role === 'editor' ? t('editor') : t('viewer')}
          {s.grantee.kind === 'group' ? ` · ${t('groupNamed', { name: s.grantee.name })}` : ''} · {formatDate(s.createdAt)}
        </span>
        <span class={`badge badge-${s.state}`}>{t(`state_${s.state}` as 'state_pending')}</span>
      </div>
      <div class="share-card-actions">
        {s.state === 'pending' && (
          <>
            <Button variant="primary" disabled={busy} onClick={() => void accept()} aria-label={t('acceptNamed', { name: s.name })}>
              {t('accept')}
            </Button>
            <Button disabled={busy} onClick={() => void decline()} aria-label={t('declineNamed', { name: s.name })}>
              {t('decline')}
            </Button>
          </>
        )}
        {s.state === 'accepted' && (
          <>
            {s.path && (
              <Button variant="primary" onClick={() => navigate(s.isDir ? filesHref(s.path!) : filesHref(s.path!.slice(0, s.path!.lastIndexOf('/'))))} aria-label={t('openNamed', { name: s.name })}>
                {t('open')}
              </Button>
            )}
            <Button disabled={busy} onClick={() => void decline()} aria-label={t('leaveNamed', { name: s.name })}>
              {t('leave')}
            </Button>
          </>
        )}
        {s.state === 'declined' && (
          <Button disabled={busy} onClick={() => void accept()} aria-label={t('acceptNamed', { name: s.name })}>
            {t('accept')}
          </Button>
        )}
      </div>
    </li>
  );
}

function OutgoingRow(props: { share: Share; onChanged: () => void; onError: (e: string) => void }) {
  const s = props.share;
  const who = s.grantee.kind === 'group' ? t('groupNamed', { name: s.grantee.name }) : s.grantee.name;
  return (
    <li class="share-card">
      <Icon name={s.isDir ? 'folder' : 'file'} />
      <div class="share-card-text">
        <span class="share-card-name">{s.path ?? s.name}</span>
        <span class="muted">
          {t('toGrantee', { who })} · {s.role === 'editor' ? t('editor') : t('viewer')} · {formatDate(s.createdAt)}
        </span>
      </div>
      <div class="share-card-actions">
        <Button
          class="btn-danger"
          aria-label={t('revokeNamed', { name: s.name, who })}
          onClick={() => void call(ops.revokeShare, { params: { id: s.id } }).then(props.onChanged, (err: unknown) => props.onError(errorText(err)))}
        >
          {t('revoke')}
        </Button>
      </div>
    </li>
  );
}

export function SharedScreen() {
  const [tab, setTab] = useState<Tab>('incoming');
  const [shares, setShares] = useState<Share[]>();
  const [error, setError] = useState<string>();
  const [reload, setReload] = useState(0);
  const tick = sharesTick.value;

  useEffect(() => {
    let live = true;
    setError(undefined);
    call(ops.listShares, { query: { direction: tab } }).then(
      (l) => live && setShares(l.shares),
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [tab, reload, tick]);

  const changed = () => setReload((n) => n + 1);
  const tabs: [Tab, string][] = [
    ['incoming', t('sharedWithMe')],
    ['outgoing', t('sharedByMe')],
  ];
  return (
    <section aria-labelledby="shared-title" class="shared">
      <h1 id="shared-title">{t('sharedTitle')}</h1>
      <div role="tablist" class="tabs" aria-label={t('sharedTitle')}>
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`tab-${id}`}
            class="tab"
            aria-selected={tab === id}
            aria-controls="shared-panel"
            tabIndex={tab === id ? 0 : -1}
            onClick={() => {
              setShares(undefined);
              setTab(id);
            }}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                const next = tab === 'incoming' ? 'outgoing' : 'incoming';
                setShares(undefined);
                setTab(next);
                document.getElementById(`tab-${next}`)?.focus();
              }
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <div id="shared-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {shares === undefined && !error && (
          <p class="muted" role="status">
            {t('loading')}
          </p>
        )}
        {shares && shares.length === 0 && <p class="empty">{tab === 'incoming' ? t('noneIncoming') : t('noneOutgoing')}</p>}
        {shares && shares.length > 0 && (
          <ul class="share-cards">
            {shares.map((s) =>
              tab === 'incoming' ? <IncomingRow key={s.id} share={s} onChanged={changed} onError={setError} /> : <OutgoingRow key={s.id} share={s} onChanged={changed} onError={setError} />,
            )}
          </ul>
        )}
      </div>
    </section>
  );
}
