import { useRef, useState } from 'preact/hooks';
import { AUDIT_KINDS, operations as ops, type AuditEvent, type AuditKind } from '@coffer/protocol';
import { formatDate } from '@coffer/web/i18n';
import { Button, SelectField, TextField } from '@coffer/web/ui';
import { call } from '@coffer/web/api';
import { t as tApp } from '../../app/messages';
import { Page, Section } from '../../app/Page';
import { usePoll } from '../../app/poll';
import { t } from './messages';

interface Filter {
  q: string;
  actor: string;
  kind: AuditKind | '';
}

const BAD_KINDS = new Set<AuditKind>(['sign_in_failed', 'user_deleted', 'user_disabled', 'node_retired']);

function detailsOf(e: AuditEvent): string {
  return Object.entries(e.details)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

/** The audit log, newest first: search by text, who and what; older pages on demand. */
export function AuditScreen() {
  const [draft, setDraft] = useState<Filter>({ q: '', actor: '', kind: '' });
  const [filter, setFilter] = useState<Filter>(draft);
  const [events, setEvents] = useState<AuditEvent[] | undefined>();
  const [next, setNext] = useState<string | null>(null);
  const [days, setDays] = useState<number | undefined>();
  const [error, setError] = useState<string | undefined>();
  const query = (f: Filter, cursor?: string) => ({ q: f.q.trim() || undefined, actor: f.actor.trim() || undefined, kind: f.kind || undefined, cursor, limit: 50 });
  // The first page stays live (new events appear) until older pages are added by "Show older".
  const extended = useRef(false);
  const refresh = usePoll(async () => {
    try {
      const page = await call(ops.adminAuditLog, { query: query(filter) });
      if (!extended.current) {
        setEvents(page.events);
        setNext(page.nextCursor);
      }
      setDays(page.retentionDays);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, 10_000);
  const more = async () => {
    if (!next || !events) return;
    try {
      const page = await call(ops.adminAuditLog, { query: query(filter, next) });
      extended.current = true;
      setEvents([...events, ...page.events]);
      setNext(page.nextCursor);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Page title={tApp('audit')} error={error}>
      <Section title={t('search')}>
        {days !== undefined && <p class="muted">{t('intro', { days })}</p>}
        <form
          class="search-row"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter(draft);
            extended.current = false;
            setEvents(undefined);
            setNext(null);
            setTimeout(() => void refresh(), 0);
          }}
        >
          <TextField label={t('text')} type="search" value={draft.q} onInput={(e) => setDraft({ ...draft, q: e.currentTarget.value })} />
          <TextField label={t('actor')} value={draft.actor} onInput={(e) => setDraft({ ...draft, actor: e.currentTarget.value })} autocomplete="off" />
          <SelectField id="audit-kind" label={t('kind')} value={draft.kind} onChange={(kind) => setDraft({ ...draft, kind })} options={[{ value: '' as const, label: t('anyKind') }, ...AUDIT_KINDS.map((k) => ({ value: k, label: t(k) }))]} />
          <Button variant="primary" type="submit">
            {t('search')}
          </Button>
        </form>
      </Section>
      <Section title={tApp('audit')}>
        {events === undefined ? (
          !error && <div class="spinner" role="status" aria-label={tApp('loading')} />
        ) : events.length === 0 ? (
          <p class="muted">{t('none')}</p>
        ) : (
          <table class="table audit-table">
            <thead>
              <tr>
                <th scope="col">{t('kind')}</th>
                <th scope="col">{t('when')}</th>
                <th scope="col">{t('actor')}</th>
                <th scope="col">{t('target')}</th>
                <th scope="col">{t('address')}</th>
                <th scope="col">{t('details')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td class="cell-main">
                    <span class={BAD_KINDS.has(e.kind) ? 'badge badge-bad' : 'badge'}>{t(e.kind)}</span>
                  </td>
                  <td data-label={t('when')}>{formatDate(e.at)}</td>
                  <td data-label={t('actor')}>{e.actorName ?? '—'}</td>
                  <td data-label={t('target')}>{e.target ?? '—'}</td>
                  <td data-label={t('address')} class="mono">
                    {e.clientAddress ?? '—'}
                  </td>
                  <td data-label={t('details')} class="cell-wide mono">
                    {detailsOf(e)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {next && events && (
          <Button onClick={() => void more()} class="more-btn">
            {t('more')}
          </Button>
        )}
      </Section>
    </Page>
  );
}
