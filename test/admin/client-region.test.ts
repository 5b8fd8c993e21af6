/**
 * `region`: a Cloudflare location hint fixed at creation, passed when the create call first
 * addresses the client's Durable Object (issue 10, contract "Management API").
 */
import { describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  admin,
  adminJson,
  appWithEnv,
  createClient,
  env,
  expectError,
  withSecret,
} from "../support/helpers";

describe("region", () => {
  it("is accepted at creation, echoed, and null by default", async () => {
    const placed = await createClient({ region: "apac" });
    expect(placed.client.region).toBe("apac");
    expect((await adminJson("GET", `/admin/clients/${placed.id}`)).body.client.region).toBe("apac");
    expect((await createClient()).client.region).toBeNull();
    expect((await createClient({ region: null })).client.region).toBeNull();
    expect((await withSecret(placed.id, placed.secret)).status).toBe(200);
  });

  it("any value other than the nine hints (or null) is 400 invalid_request", async () => {
    for (const region of ["APAC", "us-east-1", "", 3, "eu"]) {
      const res = await adminJson("POST", "/admin/clients", { name: "x", environment: "production", region });
      expect(res.status, String(region)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });

  it("cannot be changed: PATCH with region is 400 immutable_field", async () => {
    const client = await createClient({ region: "weur" });
    for (const region of ["enam", null, "weur"]) {
      await expectError(await admin("PATCH", `/admin/clients/${client.id}`, { region }), 400, "immutable_field");
    }
    expect((await adminJson("GET", `/admin/clients/${client.id}`)).body.client.region).toBe("weur");
  });

  it("reaches the namespace call that first addresses the object, as its locationHint", async () => {
    const seen: { name: string; options: unknown }[] = [];
    const namespace = new Proxy(env.CLIENT_AUTHORITY, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (prop === "getByName")
          return (name: string, options?: DurableObjectNamespaceGetDurableObjectOptions) => {
            seen.push({ name, options });
            return target.getByName(name, options);
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const app = appWithEnv({ CLIENT_AUTHORITY: namespace });
    const create = (region?: string) =>
      app.fetch("/admin/clients", {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "placed", environment: "production", ...(region ? { region } : {}) }),
      });
    const res = await create("oc");
    expect(res.status).toBe(201);
    const id = ((await res.json()) as any).client.id;
    expect(seen).toEqual([{ name: id, options: { locationHint: "oc" } }]);

    seen.length = 0;
    const plain = await create();
    const plainId = ((await plain.json()) as any).client.id;
    expect(seen).toEqual([{ name: plainId, options: undefined }]);
    await app.settle();
  });
});
