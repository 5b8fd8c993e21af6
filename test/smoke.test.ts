import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("creates a client and authenticates with it", async () => {
  const res = await exports.default.fetch("http://gw/admin/clients", {
    method: "POST",
    headers: { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" },
    body: JSON.stringify({ name: "x", environment: "production" }),
  });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(201);
  const r2 = await exports.default.fetch("http://gw/v1/verify", {
    headers: { "X-Client-ID": body.client.id, "X-Client-Secret": body.client_secret },
  });
  expect(r2.status, await r2.clone().text()).toBe(200);
  console.log(Object.fromEntries(r2.headers), await r2.json());
});
