import { lang, setLang, type Lang } from '../i18n/i18n';

/** The language picker (English, 한국어), each name in its own language; `label` in the current one. */
export function LanguageSelect(props: { label: string }) {
  return (
    <label class="inline-select">
      <span>{props.label}</span>
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
