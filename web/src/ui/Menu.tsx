import { useEffect, useRef } from 'preact/hooks';
import { Icon, type IconName } from './Icon';

export interface MenuItem {
  label: string;
  icon?: IconName;
  danger?: boolean;
  run: () => void;
}

/**
 * A pop-up menu (role=menu) at a point of the screen: a row's "more" button or a right-click.
 * Focus goes to the first item; arrows move, Enter runs, Escape/Tab or a click outside closes
 * and gives focus back to where it was.
 */
export function Menu(props: { label: string; x: number; y: number; items: MenuItem[]; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current!;
    const before = document.activeElement as HTMLElement | null;
    // Kept inside the viewport.
    const r = el.getBoundingClientRect();
    el.style.left = `${Math.max(4, Math.min(props.x, window.innerWidth - r.width - 4))}px`;
    el.style.top = `${Math.max(4, props.y + r.height > window.innerHeight - 4 ? props.y - r.height : props.y)}px`;
    el.querySelector<HTMLElement>('[role=menuitem]')?.focus();
    const outside = (e: PointerEvent) => {
      if (!el.contains(e.target as Node)) props.onClose();
    };
    document.addEventListener('pointerdown', outside, true);
    return () => {
      document.removeEventListener('pointerdown', outside, true);
      if (before?.isConnected) before.focus({ preventScroll: true });
    };
  }, []);
  const onKey = (e: KeyboardEvent) => {
    const items = [...ref.current!.querySelectorAll<HTMLElement>('[role=menuitem]')];
    const i = items.indexOf(document.activeElement as HTMLElement);
    const go = (j: number) => items[(j + items.length) % items.length]?.focus();
    if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(items.length - 1);
    else if (e.key === 'Escape' || e.key === 'Tab') props.onClose();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div ref={ref} class="menu" role="menu" aria-label={props.label} onKeyDown={onKey} style={{ left: `${props.x}px`, top: `${props.y}px` }}>
      {props.items.map((item) => (
        <button
          key={item.label}
          type="button"
          role="menuitem"
          tabIndex={-1}
          class={item.danger ? 'menu-item danger' : 'menu-item'}
          onClick={() => {
            props.onClose();
            item.run();
          }}
        >
          {item.icon && <Icon name={item.icon} />}
          {item.label}
        </button>
      ))}
    </div>
  );
}
