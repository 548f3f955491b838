import type { ComponentChildren } from 'preact';
import { t } from './messages';

/** A dashboard page: its heading, what went wrong loading it (if anything), its sections. */
export function Page(props: { title: string; error?: string; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <div class="page">
      <div class="page-head">
        <h1>{props.title}</h1>
        {props.actions && <div class="page-actions">{props.actions}</div>}
      </div>
      {props.error && (
        <p class="form-error" role="alert">
          {t('failed', { why: props.error })}
        </p>
      )}
      {props.children}
    </div>
  );
}

/** A card with a heading. */
export function Section(props: { title: string; id?: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const hid = props.id ? `${props.id}-h` : undefined;
  return (
    <section class="card section" aria-labelledby={hid} id={props.id}>
      <div class="section-head">
        <h2 id={hid}>{props.title}</h2>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}

/** What the server does not offer yet: said, not faked. */
export function NotYet(props: { what?: string }) {
  return (
    <p class="not-yet">
      {props.what ? `${props.what} — ` : ''}
      {t('notYet')}
    </p>
  );
}
