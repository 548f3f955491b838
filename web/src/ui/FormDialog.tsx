import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { Button } from './Button';
import { Dialog } from './Dialog';

/**
 * A dialog holding one form: its fields, the error of the last try, cancel and submit. `onSubmit`
 * runs once at a time (submit is disabled meanwhile); what it throws is shown as the error.
 */
export function FormDialog(props: { title: string; submit: string; cancel: string; onSubmit: () => Promise<void>; onClose: () => void; children: ComponentChildren }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await props.onSubmit();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={submit}>
        {props.children}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions flush">
          <Button onClick={props.onClose}>{props.cancel}</Button>
          <Button variant="primary" type="submit" disabled={busy}>
            {props.submit}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
