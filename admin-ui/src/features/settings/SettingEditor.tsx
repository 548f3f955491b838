import { useEffect, useState } from 'preact/hooks';
import type { SettingKey } from '@coffer/protocol';
import { Button } from '@coffer/web/ui';
import { t } from './messages';

const GIB = 1024 ** 3;

/** A number setting's field (the default quota in GiB) and its Save button. */
export function SettingEditor(props: { settingKey: SettingKey; value: number; onSave: (v: number) => void }) {
  const quota = props.settingKey === 'defaultQuotaBytes';
  const asText = (v: number) => String(quota ? Math.round((v / GIB) * 100) / 100 : v);
  const [text, setText] = useState(asText(props.value));
  useEffect(() => setText(asText(props.value)), [props.value]);
  const n = Number(text.replace(',', '.'));
  const valid = text.trim() !== '' && Number.isFinite(n) && n >= 0 && (quota || Number.isInteger(n));
  const id = `set-${props.settingKey}`;
  return (
    <form
      class="setting-editor"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) props.onSave(quota ? Math.round(n * GIB) : n);
      }}
    >
      <label for={id} class="sr-only">
        {t(`name_${props.settingKey}`)}
      </label>
      <input id={id} class="input" inputMode={quota ? 'decimal' : 'numeric'} value={text} aria-invalid={!valid || undefined} onInput={(e) => setText(e.currentTarget.value)} />
      <span class="muted">{quota ? 'GiB' : props.settingKey === 'maxVersions' ? '' : t('unitDays')}</span>
      <Button type="submit" disabled={!valid || text === asText(props.value)}>
        {t('save')}
      </Button>
    </form>
  );
}
