import { applyTheme, theme, type Theme } from './theme';

/** The theme picker: the system's, light or dark; the words come from the app using it. */
export function ThemeSelect(props: { label: string; names: Record<Theme, string> }) {
  return (
    <label class="inline-select">
      <span>{props.label}</span>
      <select class="input" value={theme.value} onChange={(e) => applyTheme(e.currentTarget.value as Theme)}>
        <option value="system">{props.names.system}</option>
        <option value="light">{props.names.light}</option>
        <option value="dark">{props.names.dark}</option>
      </select>
    </label>
  );
}
