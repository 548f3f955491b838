/**
 * What a section of `npm run bench:web` answers: its figures, each beside its target (or its
 * denominator measured in the same run), and notes. The runner (scripts/bench-web.ts) prints
 * them as one table and one JSON report; a section returning any other object is printed as JSON.
 */
export interface BenchFigure {
  /** What was measured, e.g. 'cold: navigation → rows painted (median)'. */
  metric: string;
  value: number;
  unit: string;
  /** The target or denominator it is judged against, said in words ('≤ 1000 ms'). */
  target?: string;
  /** Whether the target is met (absent for figures with no target). */
  ok?: boolean;
}

export interface SectionReport {
  section: string;
  figures: BenchFigure[];
  notes?: string[];
}

/** The median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
