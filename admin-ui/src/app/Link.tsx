import type { AnchorHTMLAttributes, ComponentChildren } from 'preact';
import { hrefOf, navigate } from './router';

/** An <a> to a dashboard path that navigates in place (a real link: middle-click and copy still work). */
export function Link(props: { to: string; children: ComponentChildren } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href' | 'role'>) {
  const { to, children, ...rest } = props;
  return (
    <a
      {...rest}
      href={hrefOf(to)}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
