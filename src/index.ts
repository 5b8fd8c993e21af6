import { createApp } from "./app";
import { runScheduledPurge } from "./storage/purge";

export { ClientAuthority } from "./object/client-authority";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduledPurge(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
