/**
 * A list row that renders again only when what it shows changed: scrolling moves a few rows into
 * view each frame, and re-rendering the other twenty (each with its buttons, checkbox and links)
 * was most of a frame's cost. Handlers are left out of the comparison — FileBrowser's reach its
 * current state at the time they run — so only the data below decides.
 */
import { Component } from 'preact';
import type { ComponentChildren } from 'preact';
import type { FileView } from '@coffer/protocol';
import { ListRow, type ItemProps } from './EntryItem';

export interface MemoRowProps extends ItemProps {
  top: number;
  /** Whether rows drag and take drops (the handlers differ). */
  dnd: boolean;
  /** The function that made `extras`: a different one makes different buttons. */
  extrasOf?: (f: FileView, focused: boolean) => ComponentChildren;
  /** The language the row's strings and dates are in. */
  lang: string;
}

export function sameRow(a: MemoRowProps, b: MemoRowProps): boolean {
  return a.f === b.f && a.index === b.index && a.selected === b.selected && a.focused === b.focused && a.showPath === b.showPath && a.top === b.top && a.dnd === b.dnd && a.extrasOf === b.extrasOf && a.lang === b.lang;
}

export class MemoRow extends Component<MemoRowProps> {
  override shouldComponentUpdate(next: MemoRowProps): boolean {
    return !sameRow(this.props, next);
  }

  override render(p: MemoRowProps) {
    return <ListRow {...p} />;
  }
}
