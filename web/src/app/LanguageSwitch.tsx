import { lang, setLang, type Lang } from '../i18n/i18n';
import { t } from './messages';

export function LanguageSwitch() {
  return (
    <label class="inline-select">
      <span>{t('language')}</span>
      <select class="input" value={lang.value} onChange={(e) => setLang(e.currentTarget.value as Lang)}>
        <option value="en" lang="en">
          English
        </option>
        <option value="ko" lang="ko">
          한국어
        </option>
      </select>
    </label>
  );
}
