// The README's "Walk-through (curl)" block, run as it is with bash against the started Worker: it
// must run to the end, and each answer must be what the comment next to it says.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminApi, gateway } from "./support/shared";

const README = resolve(import.meta.dirname, "../../README.md");

/** The first ```sh block after the "Walk-through (curl)" heading. */
function walkthroughBlock(): string {
  const readme = readFileSync(README, "utf8");
  const section = readme.split(/^## Walk-through \(curl\)$/m)[1];
  const block = section?.match(/^```sh\n([\s\S]*?)^```$/m)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## Walk-through (curl)"');
  return block;
}

/**
 * The status each curl call's comment promises ("# → 201 …"), by call number (1-based): a comment
 * belongs to the latest curl command above or beside it (`echo "$RES" # → 201` is the call that
 * set RES).
 */
function promisedStatuses(block: string): Map<number, number> {
  const promised = new Map<number, number>();
  let calls = 0;
  for (const line of block.split("\n")) {
    const [code, ...comment] = line.split("#");
    if (/(^|[\s(])curl\s/.test(code!)) calls++;
    const status = comment.join("#").match(/→\s*(\d{3})\b/);
    if (status) promised.set(calls, Number(status[1]));
  }
  return promised;
}

interface Answer {
  status: number;
  headers: Map<string, string>;
  body: any;
}

describe("README walk-through", () => {
  let dir: string;
  let run: ReturnType<typeof spawnSync>;
  let answers: Answer[];
  const block = walkthroughBlock();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "nafsi-walkthrough-"));
    const out = join(dir, "answers");
    // A shim in front of curl records each call's status (on stderr, so `RES=$(curl …)` still gets
    // only the body) and a copy of its output. A file counts the calls, since $(…) is a subshell.
    const shim = [
      "set -euo pipefail",
      `mkdir -p '${out}' && echo 0 > '${out}/count'`,
      "curl() {",
      `  local n=$(( $(cat '${out}/count') + 1 )); echo $n > '${out}/count'`,
      `  command curl -w "%{stderr}@@call $n %{http_code}\\n" "$@" | tee '${out}/'$n`,
      "}",
    ].join("\n");
    writeFileSync(join(dir, "walkthrough.sh"), `${shim}\n${block}`);
    const { baseUrl, adminToken } = gateway();
    // cwd is an empty directory: the block must take the token from the environment, not .dev.vars.
    run = spawnSync("bash", [join(dir, "walkthrough.sh")], {
      cwd: dir,
      env: { ...process.env, GW: baseUrl, ADMIN_TOKEN: adminToken },
      encoding: "utf8",
      timeout: 60_000,
    });
    const statuses = [...String(run.stderr).matchAll(/^@@call (\d+) (\d{3})$/gm)].map((m) => Number(m[2]));
    answers = statuses.map((status, i) => {
      const raw = readFileSync(join(out, String(i + 1)), "utf8");
      // `curl -i` output: the status line and headers, a blank line, the body.
      const [head, body] = /^HTTP\/[\d.]+ \d{3}/.test(raw) ? splitHead(raw) : ["", raw];
      const headers = new Map(
        head
          .split("\r\n")
          .slice(1)
          .map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()] as const),
      );
      return { status, headers, body: body ? JSON.parse(body) : null };
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs to the end with bash -eu -o pipefail", () => {
    expect(run.error).toBeUndefined();
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(answers.length).toBe(16);
  });

  it("every answer has the status its comment promises", () => {
    const promised = promisedStatuses(block);
    expect(promised.size).toBeGreaterThanOrEqual(10);
    for (const [call, status] of promised) expect(answers[call - 1]?.status, `call ${call}`).toBe(status);
    // The calls without a promise are reads that must succeed too.
    for (const [i, a] of answers.entries()) if (!promised.has(i + 1)) expect(a.status, `call ${i + 1}`).toBe(200);
  });

  it("the answers are what the comments say", async () => {
    const [created, verify, , , patched, workflow, browser, regenerated, , oldSecret, rekeyed] = answers;
    const cid = created!.body.client.id;
    expect(created!.body.client_secret).toEqual(expect.any(String));
    expect(verify!.headers.get("x-ratelimit-limit")).toBe("100");
    expect(verify!.headers.get("x-ratelimit-remaining")).toBe("99");
    expect(Number(verify!.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    expect(patched!.body.client.rate_limit).toBe(250);
    expect(workflow!.body.workflow).toMatchObject({ client_id: cid, name: "Onboarding", status: "active" });
    expect(browser!.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(browser!.body).toMatchObject({ client_id: cid, workflow_id: workflow!.body.workflow.id });
    expect(regenerated!.body.client_secret).not.toBe(created!.body.client_secret);
    expect(regenerated!.body.previous_secret_expires_at).toEqual(expect.any(String));
    expect(oldSecret!.body).toMatchObject({ authenticated: true, client_id: cid });
    expect(Date.parse(rekeyed!.body.workflow.token_issued_at)).toBeGreaterThan(
      Date.parse(workflow!.body.workflow.token_issued_at),
    );

    const audit = answers[13]!.body.entries.map((e: any) => e.action);
    expect(audit[0]).toBe("client.regenerate_secret");
    expect(audit.at(-1)).toBe("client.create");
    expect(answers[14]!.body.client.status).toBe("revoked");
    expect(answers[15]!.body.error.code).toBe("client_revoked");

    // And the gateway agrees: the client is revoked, its workflow inactive.
    const { workflows } = await adminApi(`/admin/workflows?client_id=${cid}`);
    expect(workflows).toEqual([expect.objectContaining({ name: "Onboarding", status: "inactive" })]);
  });
});

function splitHead(raw: string): [string, string] {
  const at = raw.indexOf("\r\n\r\n");
  return at < 0 ? [raw, ""] : [raw.slice(0, at), raw.slice(at + 4)];
}
