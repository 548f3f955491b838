/** The "Share" action of a row in a file list (one line for the list to add). */
import type { FileView } from '@coffer/protocol';
import { Icon } from '../../ui/index';
import { t } from './messages';
import { openShareDialog } from './share-state';

export function ShareButton(props: { entry: FileView; tabIndex?: number }) {
  return (
    <button type="button" class="btn btn-ghost btn-icon" tabIndex={props.tabIndex} aria-label={t('shareNamed', { name: props.entry.name })} onClick={() => openShareDialog(props.entry)}>
      <Icon name="share" />
    </button>
  );
}
