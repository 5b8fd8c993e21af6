import type { Child } from "hono/jsx";
import type { WebhookEndpoint } from "../gateway";
import { SecretReveal } from "../ui/secret-reveal";

/** An endpoint's signing secret, shown this once (after `Add Endpoint` or `Rotate Secret`). */
export const WebhookSecret = (props: {
  title: string;
  endpoint: WebhookEndpoint;
  secret: string;
  children?: Child;
  onDone: () => void;
}) => (
  <SecretReveal
    title={props.title}
    idLabel="Endpoint ID"
    id={props.endpoint.id}
    copyIdLabel="Copy Endpoint ID"
    secretLabel="Signing Secret"
    secret={props.secret}
    copySecretLabel="Copy Secret"
    onDone={props.onDone}
  >
    <p class="hint">Receivers verify each delivery's signature with it (Standard Webhooks).</p>
    {props.children}
  </SecretReveal>
);
