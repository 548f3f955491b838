/** A progress bar with its value for screen readers (fraction 0..1). */
export function ProgressBar(props: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(props.value * 100)));
  return (
    <div class="progress" role="progressbar" aria-label={props.label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <span style={{ width: `${pct}%` }} />
    </div>
  );
}
