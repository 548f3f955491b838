import { Button, Dialog } from '../../ui/index';
import { t } from './messages';

const mod = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

export function HelpDialog(p: { onClose: () => void }) {
  const keys: [string, string][] = [
    ['↑ ↓ ← →', t('kArrows')],
    ['Home / End', t('kHomeEnd')],
    ['Enter', t('kEnter')],
    ['Space', t('kSpace')],
    ['Delete', t('kDelete')],
    ['F2', t('kF2')],
    [`${mod}+A`, t('kAll')],
    ['Esc', t('kEscape')],
    ['/', t('kSearch')],
    ['?', t('kHelp')],
  ];
  return (
    <Dialog title={t('help')} onClose={p.onClose} actions={<Button onClick={p.onClose}>{t('close')}</Button>}>
      <dl class="keys">
        {keys.map(([k, v]) => (
          <div key={k}>
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
