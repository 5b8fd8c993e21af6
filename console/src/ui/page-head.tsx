import type { Child } from "hono/jsx";

/** A page's heading (where focus goes after navigation) and, beside it, its filters or main button. */
export const PageHead = (props: { title: string; children?: Child }) => (
  <div class="page-head">
    <h1 id="page-title" tabIndex={-1}>
      {props.title}
    </h1>
    {props.children}
  </div>
);
