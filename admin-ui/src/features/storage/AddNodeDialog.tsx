import { useState } from 'preact/hooks';
import { nodeNameProblem, nodeUrlProblem, operations as ops } from '@coffer/protocol';
import { CheckField, FormDialog, SelectField, TextField } from '@coffer/web/ui';
import { call } from '@coffer/web/api';
import { t } from './messages';

/** Add an S3 node at run time; the protocol's own rules check the name and URL before sending. */
export function AddNodeDialog(props: { onClose: () => void; onAdded: (name: string) => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [tier, setTier] = useState<'hot' | 'cold'>('hot');
  const [rebalance, setRebalance] = useState(true);
  const nameProblem = name ? nodeNameProblem(name) : undefined;
  const urlProblem = url ? nodeUrlProblem(url) : undefined;
  const submit = async () => {
    if (nameProblem || urlProblem) return;
    await call(ops.adminAddNode, { body: { name, url, tier, rebalance } });
    props.onAdded(name);
  };
  return (
    <FormDialog title={t('addNode')} submit={t('add')} cancel={t('cancel')} onSubmit={submit} onClose={props.onClose}>
      <TextField label={t('name')} hint={t('nameHint')} error={nameProblem} value={name} onInput={(e) => setName(e.currentTarget.value)} required autocomplete="off" />
      <TextField label={t('url')} hint={t('urlHint')} error={urlProblem} value={url} onInput={(e) => setUrl(e.currentTarget.value)} required autocomplete="off" spellcheck={false} />
      <SelectField id="node-tier" label={t('tier')} value={tier} onChange={setTier} options={[{ value: 'hot', label: t('hot') }, { value: 'cold', label: t('cold') }]} />
      <CheckField id="node-rebalance" label={t('rebalanceOnAdd')} checked={rebalance} onChange={setRebalance} />
    </FormDialog>
  );
}
