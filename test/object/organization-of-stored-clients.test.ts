/**
 * A client's Durable Object keeps the client's row in its own storage; a row it stored before
 * organizations existed has no organizationId. Such a client was moved to org_default by the
 * migration and can never change organization, so the object answers org_default for it.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { authority, createClient, withSecret } from "../support/helpers";

it("a row stored before organizations existed is read as org_default after a restart", async () => {
  const client = await createClient({ name: "Stored long ago" });
  expect((await withSecret(client.id, client.secret)).status).toBe(200);
  await runInDurableObject(authority(client.id), (_instance, state) => {
    const [stored] = state.storage.sql.exec<{ row: string }>("SELECT row FROM client_state WHERE id = 1").toArray();
    const { organizationId: _dropped, ...old } = JSON.parse(stored!.row);
    state.storage.sql.exec("UPDATE client_state SET row = ? WHERE id = 1", JSON.stringify(old));
  });
  await abortAllDurableObjects();
  const res = await withSecret(client.id, client.secret, "/v1/after-restart");
  expect(res.status).toBe(200);
  expect(((await res.json()) as any).organization_id).toBe("org_default");
});
