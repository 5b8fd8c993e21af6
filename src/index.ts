import { createApp } from "./app";

export { ClientAuthority } from "./authority/client-authority";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
