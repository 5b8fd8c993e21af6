import type { Child } from "hono/jsx";

export const Loading = (props: { what?: string }) => (
  <p class="muted" role="status">
    Loading{props.what ? ` ${props.what}` : ""}…
  </p>
);

export const ErrorMessage = (props: { error: string | null }) =>
  props.error ? (
    <p class="error" role="alert">
      {props.error}
    </p>
  ) : null;

export const Empty = (props: { children?: Child }) => <p class="empty">{props.children}</p>;
