// Idempotent admin POSTs against the real Worker under `wrangler dev` (local D1): ten concurrent
// POSTs with one Idempotency-Key create exactly one workflow, and NafsiAdmin's retry of a POST
// whose answer was lost is answered from the kept answer instead of creating a second one.
import { describe, expect, it } from "vitest";
import { NafsiAdmin } from "../../sdk/src/index.js";
import { adminApi, gateway } from "./support/shared";

async function newClient(): Promise<{ id: string; secret: string }> {
  const created = await adminApi("/admin/clients", { body: { name: "Idempotency e2e", environment: "production" } });
  return { id: created.client.id, secret: created.client_secret };
}

async function workflowIds(clientId: string): Promise<string[]> {
  const page = await adminApi(`/admin/workflows?client_id=${clientId}&limit=100`);
  return page.workflows.map((w: { id: string }) => w.id);
}

describe("Idempotency-Key under wrangler dev", () => {
  it("ten concurrent POST /admin/workflows with one key create exactly one workflow", async () => {
    const { baseUrl, adminToken } = gateway();
    const client = await newClient();
    const key = crypto.randomUUID();
    const body = JSON.stringify({ client_id: client.id, client_secret: client.secret, name: "Concurrent" });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${baseUrl}/admin/workflows`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${adminToken}`,
            "content-type": "application/json",
            "idempotency-key": key,
          },
          body,
        }),
      ),
    );
    const outcomes = await Promise.all(
      answers.map(async (res) => {
        const json = (await res.json()) as any;
        if (res.status === 201) {
          return {
            kind: res.headers.get("idempotent-replayed") === "true" ? "replayed" : "created",
            id: json.workflow.id,
          };
        }
        expect(res.status, JSON.stringify(json)).toBe(409);
        expect(json.error.code).toBe("request_in_progress");
        expect(res.headers.get("retry-after")).toBe("1");
        return { kind: "in_progress", id: null };
      }),
    );
    const created = outcomes.filter((o) => o.kind === "created");
    expect(created).toHaveLength(1);
    // Every 201, first or replayed, names the one workflow.
    for (const o of outcomes) if (o.id !== null) expect(o.id).toBe(created[0]!.id);
    expect(await workflowIds(client.id)).toEqual([created[0]!.id]);
  });

  it("NafsiAdmin retries a POST whose answer was lost with the same key: one workflow, the first answer", async () => {
    const { baseUrl, adminToken } = gateway();
    const client = await newClient();
    let attempts = 0;
    // The first request reaches the gateway and is processed; its answer is then lost on the way back.
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (++attempts === 1) {
        await res.body?.cancel();
        throw new TypeError("fetch failed: connection reset");
      }
      return res;
    };
    const admin = new NafsiAdmin({ baseUrl, token: adminToken, fetch: lossy });
    const { workflow } = await admin.workflows.create({
      client_id: client.id,
      client_secret: client.secret,
      name: "Lost",
    });
    expect(attempts).toBe(2);
    expect(await workflowIds(client.id)).toEqual([workflow.id]);
  });
});
