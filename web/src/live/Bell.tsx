/**
 * The bell in the top bar: the unread count on it, and a panel with the inbox (newest first,
 * unread ones marked) that marks what it showed as read when closed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatDate } from '../i18n/i18n';
import { Button, Icon } from '../ui/index';
import { describe } from './describe';
import { t } from './messages';
import { inbox, inboxLoaded, loadInbox, markRead, unreadCount } from './notifications';

export function Bell() {
  const [open, setOpen] = useState(false);
  const [failed, setFailed] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const n = unreadCount.value;

  useEffect(() => {
    if (!open) return;
    setFailed(false);
    loadInbox().catch(() => setFailed(true));
    panel.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <div class="bell">
      <Button variant="ghost" icon aria-label={n > 0 ? t('inboxUnread', { n }) : t('inbox')} aria-expanded={open} aria-controls="inbox-panel" onClick={() => setOpen(!open)}>
        <Icon name="bell" />
        {n > 0 && (
          <span class="bell-badge" aria-hidden="true">
            {n > 99 ? '99+' : n}
          </span>
        )}
      </Button>
      {open && (
        <div id="inbox-panel" class="inbox" role="region" aria-label={t('inbox')} tabIndex={-1} ref={panel}>
          <div class="inbox-head">
            <h2>{t('inbox')}</h2>
            <Button variant="ghost" disabled={n === 0} onClick={() => void markRead().catch(() => setFailed(true))}>
              {t('markAllRead')}
            </Button>
            <Button variant="ghost" icon aria-label={t('close')} onClick={() => setOpen(false)}>
              <Icon name="close" />
            </Button>
          </div>
          {failed && <p class="form-error">{t('loadFailed')}</p>}
          {inboxLoaded.value && inbox.value.length === 0 && <p class="empty">{t('inboxEmpty')}</p>}
          <ul class="inbox-list">
            {inbox.value.map((x) => (
              <li key={x.id} class={x.readAt === null ? 'unread' : undefined}>
                <span class="inbox-text">{describe(x)}</span>
                <span class="muted">{formatDate(x.createdAt)}</span>
                {x.readAt === null && (
                  <Button variant="ghost" class="inbox-read" onClick={() => void markRead([x.id]).catch(() => setFailed(true))}>
                    {t('markRead')}
                  </Button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
