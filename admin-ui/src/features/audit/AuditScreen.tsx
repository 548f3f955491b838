import { t as tApp } from '../../app/messages';
import { NotYet, Page, Section } from '../../app/Page';
import { t } from './messages';

/** The audit log, searchable. */
export function AuditScreen() {
  return (
    <Page title={tApp('audit')}>
      <Section title={tApp('audit')}>
        <p class="muted">{t('intro')}</p>
        <NotYet />
      </Section>
    </Page>
  );
}
