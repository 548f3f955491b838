import { useId } from 'preact/hooks';
import { Checkbox } from './Checkbox';

/** A checkbox with its words beside it (clicking them toggles it); `text` defaults to `label`. */
export function CheckField(props: { label: string; text?: string; checked: boolean; onChange: (checked: boolean) => void; id?: string }) {
  const auto = useId();
  const fid = props.id ?? auto;
  return (
    <div class="check-row">
      <Checkbox id={fid} label={props.label} checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      <label for={fid}>{props.text ?? props.label}</label>
    </div>
  );
}
