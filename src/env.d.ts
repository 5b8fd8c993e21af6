// Secrets are not in wrangler.toml (they live in .dev.vars locally and `wrangler secret put` in
// production), and `npm run types` deliberately ignores .dev.vars (--env-file=/dev/null) so the
// generated Env does not depend on one developer's file. They are declared optional here because
// the gateway must run (and refuse the admin API, or workflow minting) when one is missing.
declare namespace Cloudflare {
  interface Env {
    ADMIN_TOKEN?: string;
    TOKEN_SIGNING_KEY?: string;
    TOKEN_SIGNING_KEY_PREVIOUS?: string;
    CREDENTIAL_TAG_KEY?: string;
    CREDENTIAL_TAG_KEY_PREVIOUS?: string;
    ALERT_WEBHOOK_URL?: string;
    ALERT_WEBHOOK_SECRET?: string;
    UPSTREAM_TIMEOUT_MS?: string;
    /** GitHub's secret-scanning key document; unset: GitHub's published list (README "Secret hygiene"). */
    SECRET_SCANNING_KEYS?: string;
  }
}
