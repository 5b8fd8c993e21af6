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

/** What an action just did (announced politely, unlike an error). */
export const Notice = (props: { text: string | null }) =>
  props.text ? (
    <p class="notice" role="status">
      {props.text}
    </p>
  ) : null;

export const Empty = (props: { children?: Child }) => <p class="empty">{props.children}</p>;
