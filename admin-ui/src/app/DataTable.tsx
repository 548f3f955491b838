import type { ComponentChildren } from 'preact';

export interface Column<R> {
  label: string;
  /** Right-aligned figures. */
  num?: boolean;
  /** More classes of the column's cells. */
  class?: string;
  cell: (row: R) => ComponentChildren;
}

/**
 * A table of rows, one per item. On phones each row becomes a card (admin.css): the first column
 * is its title, the others carry their column's name in `data-label`.
 */
export function DataTable<R>(props: { columns: readonly Column<R>[]; rows: readonly R[]; rowKey: (row: R) => string }) {
  const [main, ...rest] = props.columns;
  return (
    <table class="table">
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th key={c.label} scope="col" class={c.num ? 'num' : undefined}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={props.rowKey(r)}>
            {main && <td class={cls('cell-main', main)}>{main.cell(r)}</td>}
            {rest.map((c) => (
              <td key={c.label} data-label={c.label} class={cls(c.num ? 'num' : '', c)}>
                {c.cell(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function cls(base: string, c: { class?: string }): string | undefined {
  return [base, c.class].filter(Boolean).join(' ') || undefined;
}
