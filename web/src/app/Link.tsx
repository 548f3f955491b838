import type { AnchorHTMLAttributes, ComponentChildren } from 'preact';
import { navigate } from './router';

/** An <a> that navigates inside the app (a real link: middle-click and copy still work). */
export function Link(props: { href: string; children: ComponentChildren } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href' | 'role'>) {
  const { href, children, ...rest } = props;
  return (
    <a
      {...rest}
      href={href}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
