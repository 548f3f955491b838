import { applyTheme, theme, type Theme } from '../ui/index';
import { t } from './messages';

export function ThemeSwitch() {
  return (
    <label class="inline-select">
      <span>{t('theme')}</span>
      <select class="input" value={theme.value} onChange={(e) => applyTheme(e.currentTarget.value as Theme)}>
        <option value="system">{t('themeSystem')}</option>
        <option value="light">{t('themeLight')}</option>
        <option value="dark">{t('themeDark')}</option>
      </select>
    </label>
  );
}
