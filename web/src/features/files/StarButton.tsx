import type { FileView } from '@coffer/protocol';
import { Icon } from '../../ui/index';
import { setStar } from './actions';
import { t } from './messages';

/** The star toggle of a row (a pressed button: "Star notes.md", pressed when starred). */
export function StarButton(p: { f: FileView; focused: boolean }) {
  const on = p.f.starred ?? false;
  return (
    <button type="button" class={`btn btn-ghost btn-icon star-btn${on ? ' on' : ''}`} tabIndex={p.focused ? 0 : -1} aria-label={t('starOf', { name: p.f.name })} aria-pressed={on} onClick={() => void setStar(p.f, !on)}>
      <Icon name={on ? 'star' : 'starOutline'} />
    </button>
  );
}

export const starExtras = (f: FileView, focused: boolean) => <StarButton f={f} focused={focused} />;
