import type { Child } from "hono/jsx";

/**
 * A list's table: a caption for screen readers, one header per column, and the rows. On narrow
 * screens the rows become cards, each cell labelled by its `data-label`.
 */
export const ListTable = (props: { caption: string; columns: string[]; children?: Child }) => (
  <table class="cards">
    <caption class="sr-only">{props.caption}</caption>
    <thead>
      <tr>
        {props.columns.map((c) => (
          <th scope="col">{c}</th>
        ))}
      </tr>
    </thead>
    <tbody>{props.children}</tbody>
  </table>
);

/** A row's first two cells: its name (the row's header) and its full ID. */
export const NameCells = (props: { name: string; id: string; idLabel: string }) => (
  <>
    <th scope="row" data-label="Name">
      {props.name}
    </th>
    <td data-label={props.idLabel}>
      <code class="token">{props.id}</code>
    </td>
  </>
);
