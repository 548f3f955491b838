import { ThemeSelect } from '../ui/index';
import { t } from './messages';

export function ThemeSwitch() {
  return <ThemeSelect label={t('theme')} names={{ system: t('themeSystem'), light: t('themeLight'), dark: t('themeDark') }} />;
}
