import { useEffect, useRef, useState } from 'preact/hooks';
import { Button, Dialog, TextField } from '../../ui/index';
import { t } from './messages';

/** Asks for one name (a new folder, a rename); the stem before the extension is selected first. */
export function PromptDialog(p: { title: string; label: string; initial?: string; submit: string; onSubmit: (value: string) => Promise<boolean>; onClose: () => void }) {
  const [value, setValue] = useState(p.initial ?? '');
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const input = form.current?.querySelector('input');
    if (!input) return;
    input.focus();
    const dot = (p.initial ?? '').lastIndexOf('.');
    input.setSelectionRange(0, dot > 0 ? dot : input.value.length);
  }, []);
  const name = value.trim();
  return (
    <Dialog
      title={p.title}
      onClose={p.onClose}
      actions={
        <>
          <Button onClick={p.onClose}>{t('cancel')}</Button>
          <Button variant="primary" type="submit" form="prompt-form" disabled={!name || busy}>
            {p.submit}
          </Button>
        </>
      }
    >
      <form
        id="prompt-form"
        ref={form}
        onSubmit={async (e) => {
          e.preventDefault();
          if (!name || busy) return;
          setBusy(true);
          if (await p.onSubmit(name)) p.onClose();
          else setBusy(false);
        }}
      >
        <TextField label={p.label} value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} autoComplete="off" spellcheck={false} />
      </form>
    </Dialog>
  );
}
