import type { InputHTMLAttributes } from 'preact';

/** A checkbox with a 44 px touch target around it; `label` names it for screen readers. */
export function Checkbox(props: { label: string; checked: boolean; indeterminate?: boolean } & Pick<InputHTMLAttributes<HTMLInputElement>, 'onClick' | 'onChange' | 'tabIndex' | 'disabled' | 'class' | 'id'>) {
  const { label, checked, indeterminate, class: cls, ...rest } = props;
  return (
    <label class={`check${typeof cls === 'string' ? ` ${cls}` : ''}`}>
      <input type="checkbox" aria-label={label} checked={checked} indeterminate={indeterminate ?? false} {...rest} />
    </label>
  );
}
