/**
 * An error never repeats a value that could be a credential (contract "Idempotent requests and
 * request bodies"): an unknown query parameter or body field whose name starts with one of the
 * gateway's credential prefixes, or is longer than 64 characters, is `"field": "(unknown field)"`,
 * and nothing in the answer repeats the name. Ordinary unknown names are still named.
 */
import { describe, expect, it } from "vitest";
import { admin, createClient, createWorkflow, expectError } from "../support/helpers";
import { CREDENTIAL_PREFIXES } from "../../src/lib/credential-prefixes";

const BODY = "AbCdEfGhIjKlMnOpQrStUv12345678";
const NAMES = [...CREDENTIAL_PREFIXES.map((prefix) => prefix + BODY), "x".repeat(65)];

/** The 400's details, checked to name none of `names` anywhere in the answer. */
async function refusedWithout(res: Response, names: string[]): Promise<{ field: string; message: string }[]> {
  const text = await res.clone().text();
  for (const name of names) expect(text, name).not.toContain(name);
  return (await expectError(res, 400, "invalid_request")).details;
}

describe("unknown names that may be credentials are never repeated", () => {
  it.each(NAMES)("query parameter %s on GET /admin/clients and /admin/workflows", async (name) => {
    for (const path of ["/admin/clients", "/admin/workflows"]) {
      const details = await refusedWithout(await admin("GET", `${path}?${name}=1`), [name]);
      expect(details, path).toEqual([{ field: "(unknown field)", message: "Unknown field." }]);
    }
  });

  it.each(NAMES)("body field %s on POST and PATCH /admin/clients", async (name) => {
    const created = await admin("POST", "/admin/clients", { name: "Named", environment: "sandbox", [name]: "x" });
    expect(await refusedWithout(created, [name])).toEqual([{ field: "(unknown field)", message: "Unknown field." }]);
    const { id } = await createClient();
    const patched = await admin("PATCH", `/admin/clients/${id}`, { name: "Renamed", [name]: 1 });
    expect(await refusedWithout(patched, [name])).toEqual([{ field: "(unknown field)", message: "Unknown field." }]);
  });

  it("a nested unknown name is hidden whole, and ordinary names beside it are still named", async () => {
    const client = await createClient();
    const workflow = await createWorkflow(client);
    const secretName = NAMES[2]!;
    const res = await admin("PATCH", `/admin/workflows/${workflow.id}`, { colour: "blue", [secretName]: true });
    const fields = (await refusedWithout(res, [secretName])).map((d) => d.field).sort();
    expect(fields).toEqual(["(unknown field)", "colour"]);
  });

  it("a name of exactly 64 characters with no credential prefix is still named", async () => {
    const name = "y".repeat(64);
    const details = (await expectError(await admin("GET", `/admin/clients?${name}=1`), 400, "invalid_request")).details;
    expect(details.map((d: { field: string }) => d.field)).toEqual([name]);
  });
});
