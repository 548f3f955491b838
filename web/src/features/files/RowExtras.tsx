/** The buttons a row shows beside its menu: share and star (one tab stop each only on the focused row). */
import type { FileView } from '@coffer/protocol';
import { ShareButton } from '../sharing/index';
import { StarButton } from './StarButton';

export const rowExtras = (f: FileView, focused: boolean) => (
  <>
    <ShareButton entry={f} tabIndex={focused ? 0 : -1} />
    <StarButton f={f} focused={focused} />
  </>
);
