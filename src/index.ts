import { createApp } from "./app";
import { runRotationReminders } from "./object/rotation-sweep";
import { runScheduledPurge } from "./storage/purge";

export { ClientAuthority } from "./object/client-authority";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduledPurge(env, controller.scheduledTime));
    ctx.waitUntil(runRotationReminders(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
