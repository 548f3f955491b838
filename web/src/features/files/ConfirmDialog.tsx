import { Button, Dialog } from '../../ui/index';
import { t } from './messages';

/** A yes/no question before something that cannot be undone. */
export function ConfirmDialog(p: { title: string; text: string; confirm: string; onConfirm: () => void; onClose: () => void }) {
  return (
    <Dialog
      title={p.title}
      onClose={p.onClose}
      actions={
        <>
          <Button onClick={p.onClose}>{t('cancel')}</Button>
          <Button
            variant="danger"
            onClick={() => {
              p.onClose();
              p.onConfirm();
            }}
          >
            {p.confirm}
          </Button>
        </>
      }
    >
      <p>{p.text}</p>
    </Dialog>
  );
}
