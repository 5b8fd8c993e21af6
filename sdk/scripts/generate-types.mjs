// Writes sdk/src/generated/openapi.ts from the gateway's OpenAPI document: `npm run generate -w sdk`.
// sdk/test/openapi-types.test.ts compares that file with generatedSource(), so a schema change in
// src/ that is not regenerated fails the tests.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { format } from "prettier";
import { gatewayOpenApi } from "./gateway-openapi.mjs";
import { generateTypes } from "./openapi-types.mjs";

export const GENERATED_PATH = fileURLToPath(new URL("../src/generated/openapi.ts", import.meta.url));

/** The file's expected text, formatted as the repository's Prettier settings say. */
export async function generatedSource() {
  return format(generateTypes(await gatewayOpenApi()), { parser: "typescript", printWidth: 120 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(GENERATED_PATH, await generatedSource());
  console.log(`wrote ${GENERATED_PATH}`);
}
