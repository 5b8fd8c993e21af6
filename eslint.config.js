import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

/**
 * The layers, by where code runs (docs/architecture.md, "Layers and folders"): imports only point down.
 *   entry (index, app) → edge | admin | partners | site → object → storage → domain → lib
 * The edge and the admin API reach a client's Durable Object only through its protocol and stub.
 */
const room = (name) => `(^|/)${name}(/|$)`;
const forbid = (message, ...rooms) => ({
  "no-restricted-imports": ["error", { patterns: rooms.map((regex) => ({ regex, message })) }],
});
const OBJECT_INTERNALS = "(^|/)object/(?!(protocol|stub)$)";
const ENTRY = "^\\.\\.?/(\\.\\./)*(app|index)$";

const NODE_SCRIPT_GLOBALS = {
  process: "readonly",
  console: "readonly",
  setTimeout: "readonly",
  clearTimeout: "readonly",
  URL: "readonly",
  fetch: "readonly",
  AbortSignal: "readonly",
};

const layers = [
  {
    files: ["src/edge/**/*.ts"],
    rules: forbid(
      "The edge imports only the object's protocol and stub, storage, domain and lib.",
      ENTRY,
      room("admin"),
      room("site"),
      OBJECT_INTERNALS,
    ),
  },
  {
    files: ["src/admin/**/*.ts"],
    rules: forbid(
      "The admin API imports only the object's protocol and stub, storage, domain and lib.",
      ENTRY,
      room("edge"),
      room("site"),
      OBJECT_INTERNALS,
    ),
  },
  {
    // Endpoints for partners (GitHub secret scanning): like the admin API, they reach a client's
    // Durable Object only through its protocol and stub.
    files: ["src/partners/**/*.ts"],
    rules: forbid(
      "Partner endpoints import only the object's protocol and stub, storage, domain and lib.",
      ENTRY,
      room("edge"),
      room("admin"),
      room("site"),
      OBJECT_INTERNALS,
    ),
  },
  {
    files: ["src/site/**/*.ts"],
    rules: forbid(
      "Public pages import only storage, domain and lib.",
      ENTRY,
      room("edge"),
      room("admin"),
      room("object"),
    ),
  },
  {
    files: ["src/object/**/*.ts"],
    rules: forbid(
      "The Durable Object never imports the edge, the admin API or the pages.",
      room("partners"),
      room("queue"),
      ENTRY,
      room("edge"),
      room("admin"),
      room("site"),
    ),
  },
  {
    // The webhook delivery queue's consumer: runs in the Worker's queue() handler, beside the
    // routes, and reads and writes only through storage.
    files: ["src/queue/**/*.ts"],
    rules: forbid(
      "The queue consumer imports only storage, domain and lib.",
      room("partners"),
      ENTRY,
      room("edge"),
      room("admin"),
      room("site"),
      room("object"),
    ),
  },
  {
    files: ["src/storage/**/*.ts"],
    rules: forbid(
      "Storage imports only domain and lib.",
      room("partners"),
      room("queue"),
      ENTRY,
      room("edge"),
      room("admin"),
      room("site"),
      room("object"),
    ),
  },
  {
    files: ["src/domain/**/*.ts"],
    rules: forbid(
      "The domain is pure: it imports nothing of ours but lib.",
      room("partners"),
      room("queue"),
      ENTRY,
      room("edge"),
      room("admin"),
      room("site"),
      room("object"),
      room("storage"),
    ),
  },
  {
    files: ["src/lib/**/*.ts"],
    rules: forbid(
      "lib is the bottom layer: it imports nothing of ours.",
      room("partners"),
      room("queue"),
      ENTRY,
      room("edge"),
      room("admin"),
      room("site"),
      room("object"),
      room("storage"),
      room("domain"),
    ),
  },
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "**/.wrangler/",
      "console/dist/",
      "worker-configuration.d.ts",
      "bench/results/",
      "bench/.state/",
      "sdk/dist/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...layers,
  {
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
  {
    files: ["scripts/**/*.mjs", "bench/**/*.mjs", "sdk/**/*.mjs", "console/*.mjs"],
    languageOptions: {
      globals: NODE_SCRIPT_GLOBALS,
    },
  },
  {
    // Standalone runtime reproductions (a Worker and its driver), run by hand: see their README.
    files: ["docs/repro/**/*.{js,mjs}"],
    languageOptions: {
      globals: {
        ...NODE_SCRIPT_GLOBALS,
        Response: "readonly",
        TextEncoder: "readonly",
        crypto: "readonly",
        scheduler: "readonly",
      },
    },
  },
);
