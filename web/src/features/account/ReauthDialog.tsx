/** "Confirm it is you" before a factor goes or new codes are made: the password, or a current code. */
import { useState } from 'preact/hooks';
import { Button, Dialog, TextField } from '../../ui/index';
import { reasonOf } from './errors';
import { t } from './messages';

export type Proof = { password: string } | { code: string };

export function ReauthDialog(props: { title: string; action: string; hasCode: boolean; run: (proof: Proof) => Promise<void>; onClose: () => void }) {
  const [useCode, setUseCode] = useState(false);
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.run(useCode ? { code: value.trim() } : { password: value });
      props.onClose();
    } catch (err) {
      setError(reasonOf(err));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      actions={
        <>
          <Button onClick={props.onClose}>{t('cancel')}</Button>
          <Button variant="danger" disabled={busy || !value} onClick={() => void submit()}>
            {props.action}
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p>{useCode ? t('reauthWhyCode') : t('reauthWhy')}</p>
        {useCode ? (
          <TextField key="code" label={t('codeOrRecovery')} autoComplete="one-time-code" autoCapitalize="none" spellcheck={false} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        ) : (
          <TextField key="password" label={t('password')} type="password" autoComplete="current-password" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        )}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {props.hasCode && (
          <Button variant="ghost" onClick={() => (setUseCode(!useCode), setValue(''), setError(undefined))}>
            {useCode ? t('usePassword') : t('useCode')}
          </Button>
        )}
      </form>
    </Dialog>
  );
}
