import { createApp } from "./app";
import { runRotationReminders } from "./object/rotation-sweep";
import { consumeWebhookDeliveries } from "./queue/webhook-consumer";
import type { DeliveryMessage } from "./storage/webhook-deliveries";
import { runScheduledPurge } from "./storage/purge";

export { ClientAuthority } from "./object/client-authority";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduledPurge(env, controller.scheduledTime));
    ctx.waitUntil(runRotationReminders(env, controller.scheduledTime));
  },
  // The webhook delivery queue (wrangler.toml [[queues.consumers]]): one attempt per message.
  async queue(batch, env) {
    await consumeWebhookDeliveries(batch as MessageBatch<DeliveryMessage>, env);
  },
} satisfies ExportedHandler<Env>;
