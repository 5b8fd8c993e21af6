import { createApp } from "./app";
import { runScheduledPurge } from "./retention/purge";

export { ClientAuthority } from "./authority/client-authority";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduledPurge(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
