// Writes sdk/src/generated/openapi.ts from the gateway's OpenAPI document (`npm run generate -w sdk`).
import { mkdir, writeFile } from "node:fs/promises";
import { gatewayOpenApi } from "./gateway-openapi.mjs";
import { generateTypes } from "./openapi-types.mjs";

export const GENERATED = new URL("../src/generated/openapi.ts", import.meta.url);

await mkdir(new URL(".", GENERATED), { recursive: true });
await writeFile(GENERATED, generateTypes(await gatewayOpenApi()));
console.log(`wrote ${GENERATED.pathname}`);
