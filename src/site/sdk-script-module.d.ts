// The module sdk/build.mjs emits (sdk/dist/nafsi.global.module.js), declared here so that the
// gateway type-checks before the SDK is built.
declare module "*/nafsi.global.module.js" {
  /** The text of sdk/dist/nafsi.global.js. */
  export const source: string;
  /** A strong ETag: the script's content hash, quoted. */
  export const etag: string;
}
