import { LanguageSelect } from '../ui/index';
import { t } from './messages';

export function LanguageSwitch() {
  return <LanguageSelect label={t('language')} />;
}
