import { useState } from 'preact/hooks';
import { nodeNameProblem, nodeUrlProblem, operations as ops } from '@coffer/protocol';
import { Button, Checkbox, Dialog, TextField } from '@coffer/web/ui';
import { call } from '@coffer/web/api';
import { t } from './messages';

/** Add an S3 node at run time; the protocol's own rules check the name and URL before sending. */
export function AddNodeDialog(props: { onClose: () => void; onAdded: (name: string) => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [tier, setTier] = useState<'hot' | 'cold'>('hot');
  const [rebalance, setRebalance] = useState(true);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const nameProblem = name ? nodeNameProblem(name) : undefined;
  const urlProblem = url ? nodeUrlProblem(url) : undefined;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (nameProblem || urlProblem) return;
    setBusy(true);
    setError('');
    try {
      await call(ops.adminAddNode, { body: { name, url, tier, rebalance } });
      props.onAdded(name);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('addNode')} onClose={props.onClose}>
      <form onSubmit={submit}>
        <TextField label={t('name')} hint={t('nameHint')} error={nameProblem} value={name} onInput={(e) => setName(e.currentTarget.value)} required autocomplete="off" />
        <TextField label={t('url')} hint={t('urlHint')} error={urlProblem} value={url} onInput={(e) => setUrl(e.currentTarget.value)} required autocomplete="off" spellcheck={false} />
        <div class="field select-field">
          <label for="node-tier">{t('tier')}</label>
          <select id="node-tier" class="input" value={tier} onChange={(e) => setTier(e.currentTarget.value as 'hot' | 'cold')}>
            <option value="hot">{t('hot')}</option>
            <option value="cold">{t('cold')}</option>
          </select>
        </div>
        <div class="check-row">
          <Checkbox id="node-rebalance" label={t('rebalanceOnAdd')} checked={rebalance} onChange={(e) => setRebalance(e.currentTarget.checked)} />
          <label for="node-rebalance">{t('rebalanceOnAdd')}</label>
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions flush">
          <Button onClick={props.onClose}>{t('cancel')}</Button>
          <Button variant="primary" type="submit" disabled={busy}>
            {t('add')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
