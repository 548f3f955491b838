import { useId } from 'preact/hooks';
import type { InputHTMLAttributes } from 'preact';

/** A labelled input with an optional hint and error, wired for screen readers. */
export function TextField(props: { label: string; hint?: string; error?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const { label, hint, error, id, ...rest } = props;
  const auto = useId();
  const fid = (typeof id === 'string' && id) || auto;
  const described = [hint ? `${fid}-hint` : '', error ? `${fid}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={fid}>{label}</label>
      <input id={fid} aria-invalid={error ? true : undefined} aria-describedby={described} {...rest} />
      {hint && (
        <span class="hint" id={`${fid}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span class="error" id={`${fid}-error`} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
