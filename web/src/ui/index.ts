/** The shared components of the design language (the web app's; the admin UI uses them too). */
export { Button } from './Button';
export { Dialog } from './Dialog';
export { Icon, type IconName } from './Icon';
export { ProgressBar } from './ProgressBar';
export { TextField } from './TextField';
export { Toasts, toast, toasts } from './toasts';
export { applyTheme, effectiveTheme, theme, type Theme } from './theme';
export { Checkbox } from './Checkbox';
export { Menu, type MenuItem } from './Menu';
export { LanguageSelect } from './LanguageSelect';
export { ThemeSelect } from './ThemeSelect';
export { Shell, type ShellProps } from './Shell';
export { SelectField } from './SelectField';
export { CheckField } from './CheckField';
export { FormDialog } from './FormDialog';
