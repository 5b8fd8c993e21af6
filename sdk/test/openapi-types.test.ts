import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- plain .mjs build script, no declarations
import { gatewayOpenApi } from "../scripts/gateway-openapi.mjs";
// @ts-expect-error -- plain .mjs build script, no declarations
import { GENERATED_PATH, generatedSource } from "../scripts/generate-types.mjs";
// @ts-expect-error -- plain .mjs build script, no declarations
import { generateTypes } from "../scripts/openapi-types.mjs";

interface OpenApi {
  paths: Record<string, Record<string, unknown>>;
}

let doc: OpenApi;
beforeAll(async () => {
  doc = await gatewayOpenApi();
});

const adminOperations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    path.startsWith("/admin/")
      ? Object.keys(item)
          .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`)
      : [],
  );

describe("the SDK's types follow the gateway's OpenAPI document", () => {
  it("src/generated/openapi.ts is what the gateway's current document generates", async () => {
    const committed = await readFile(GENERATED_PATH, "utf8");
    // On failure: run `npm run generate -w sdk` and review the diff of the SDK's types.
    expect(committed).toBe(await generatedSource());
  });

  it("NafsiAdmin names every /admin call of the document by its exact key (so its types are the generated ones)", async () => {
    const source = await readFile(new URL("../src/admin.ts", import.meta.url), "utf8");
    const used = new Set(source.match(/"(?:GET|POST|PUT|PATCH|DELETE) \/admin[^"]*"/g)?.map((s) => JSON.parse(s)));
    const operations = adminOperations();
    expect(operations.length).toBeGreaterThan(10);
    expect(operations.filter((op) => !used.has(op))).toEqual([]);
  });

  it("the generator maps the document's shapes to TypeScript", () => {
    const out: string = generateTypes({
      components: {
        schemas: {
          Thing: {
            type: "object",
            properties: {
              id: { type: "string" },
              at: { type: ["string", "null"] },
              n: { type: "integer", default: 3 },
              kind: { type: "string", enum: ["a", "b"] },
              tags: { type: "array", items: { type: "string" } },
              counts: { type: "object", additionalProperties: { type: "integer" } },
              "odd-key": { anyOf: [{ type: "boolean" }, { $ref: "#/components/schemas/Other" }] },
            },
            required: ["id", "at", "n", "kind"],
          },
        },
      },
      paths: {},
    });
    expect(out).toContain("id: string;");
    expect(out).toContain("at: string | null;");
    expect(out).toContain("n?: number;");
    expect(out).toContain('kind: "a" | "b";');
    expect(out).toContain("tags?: string[];");
    expect(out).toContain("counts?: Record<string, number>;");
    expect(out).toContain('"odd-key"?: boolean | Schemas["Other"];');
  });
});
