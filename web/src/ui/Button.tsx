import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';

type Variant = 'primary' | 'danger' | 'ghost' | 'default';

/** The one button of the design language: 44 px touch target, a visible label or an aria-label. */
export function Button(props: { variant?: Variant; icon?: boolean; children: ComponentChildren } & ButtonHTMLAttributes<HTMLButtonElement>) {
  const { variant = 'default', icon, children, class: cls, type, ...rest } = props;
  const classes = ['btn', variant !== 'default' ? `btn-${variant}` : '', icon ? 'btn-icon' : '', typeof cls === 'string' ? cls : ''].filter(Boolean).join(' ');
  return (
    <button type={type ?? 'button'} class={classes} {...rest}>
      {children}
    </button>
  );
}
