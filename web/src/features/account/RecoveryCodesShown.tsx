/** Recovery codes or a new app password, shown this once, with a copy button. */
import { Button, Dialog, toast } from '../../ui/index';
import { t } from './messages';

async function copy(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    toast(t('copied'));
  } catch {
    // No clipboard (permissions): the text is selectable on the screen.
  }
}

export function RecoveryCodesShown(props: { codes: string[]; onClose: () => void }) {
  return (
    <Dialog
      title={t('codesTitle')}
      onClose={props.onClose}
      actions={
        <>
          <Button onClick={() => void copy(props.codes.join('\n'))}>{t('copy')}</Button>
          <Button variant="primary" onClick={props.onClose}>
            {t('codesSaved')}
          </Button>
        </>
      }
    >
      <p>{t('codesWhy')}</p>
      <ol class="codes" aria-label={t('recoveryTitle')}>
        {props.codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
    </Dialog>
  );
}

export function SecretShown(props: { title: string; why: string; secret: string; onClose: () => void }) {
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      actions={
        <>
          <Button onClick={() => void copy(props.secret)}>{t('copy')}</Button>
          <Button variant="primary" onClick={props.onClose}>
            {t('done')}
          </Button>
        </>
      }
    >
      <p>{props.why}</p>
      <p class="secret">
        <code data-testid="secret">{props.secret}</code>
      </p>
    </Dialog>
  );
}
