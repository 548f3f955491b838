/**
 * A small line chart drawn as SVG by hand (see admin-ui/README.md: two series, an axis and three
 * labels are ~80 lines; a chart library would be most of the dashboard's JavaScript). Scales to
 * its box; the numbers are also given as a table for screen readers.
 */
export interface Series {
  label: string;
  values: number[];
}

const W = 480;
const H = 180;
const PAD = { left: 70, right: 8, top: 12, bottom: 26 };

function path(values: number[], max: number): string {
  const n = values.length;
  const x = (i: number) => PAD.left + (n <= 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => H - PAD.bottom - (max > 0 ? (v / max) * (H - PAD.top - PAD.bottom) : 0);
  return values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)} ${y(v).toFixed(1)}`).join(' ');
}

export function LineChart(props: { title: string; times: string[]; series: Series[]; format: (v: number) => string; formatTime: (iso: string) => string }) {
  const max = Math.max(0, ...props.series.flatMap((s) => s.values)) * 1.1;
  const n = props.times.length;
  const first = props.times[0];
  const last = props.times[n - 1];
  const [a, b] = props.series;
  return (
    <figure class="chart-figure">
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title}>
        <line class="axis" x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} />
        <line class="axis" x1={PAD.left} x2={W - PAD.right} y1={PAD.top} y2={PAD.top} stroke-dasharray="4 4" />
        <text class="grid-text" x={PAD.left - 6} y={PAD.top + 4} text-anchor="end">
          {props.format(max)}
        </text>
        <text class="grid-text" x={PAD.left - 6} y={H - PAD.bottom} text-anchor="end">
          0
        </text>
        {first && (
          <text class="grid-text" x={PAD.left} y={H - 6}>
            {props.formatTime(first)}
          </text>
        )}
        {last && n > 1 && (
          <text class="grid-text" x={W - PAD.right} y={H - 6} text-anchor="end">
            {props.formatTime(last)}
          </text>
        )}
        {a && <path class="line" d={path(a.values, max)} />}
        {b && <path class="line-2" d={path(b.values, max)} />}
      </svg>
      <figcaption class="legend">
        {props.series.map((s, i) => (
          <span key={s.label}>
            <span class={i === 0 ? 'swatch' : 'swatch swatch-2'} aria-hidden="true" />
            {s.label}: {props.format(s.values[s.values.length - 1] ?? 0)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
