import { useId } from 'preact/hooks';

/** A labelled drop-down of fixed choices. */
export function SelectField<V extends string>(props: { label: string; value: V; options: readonly { value: V; label: string }[]; onChange: (value: V) => void; id?: string }) {
  const auto = useId();
  const fid = props.id ?? auto;
  return (
    <div class="field select-field">
      <label for={fid}>{props.label}</label>
      <select id={fid} class="input" value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as V)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
