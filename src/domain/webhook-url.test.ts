import { describe, expect, it } from "vitest";
import { MAX_WEBHOOK_URL_LENGTH, webhookUrlProblem } from "./webhook-url";

/** [url, accepted]: each spelling as an admin might send it; the check runs on the parsed host. */
const TABLE: [string, boolean][] = [
  ["https://hooks.example.com/nafsi", true],
  ["https://hooks.example.com:8443/a?b=c", true],
  ["https://93.184.216.34/hook", true],
  ["https://[2606:4700::1111]/hook", true],
  ["http://localhost:8787/hook", true],
  ["http://127.0.0.1:3000/hook", true],
  ["https://localhost:8787/hook", true],
  // development form without a port, or another host over http
  ["http://localhost/hook", false],
  ["http://127.0.0.1/hook", false],
  ["http://hooks.example.com/hook", false],
  ["https://localhost/hook", false],
  ["https://api.localhost/hook", false],
  // other schemes, credentials, garbage
  ["ftp://hooks.example.com/", false],
  ["javascript:alert(1)", false],
  ["file:///etc/passwd", false],
  ["https://user:pass@hooks.example.com/", false],
  ["https://user@hooks.example.com/", false],
  ["not a url", false],
  // IPv4 in every form the parser normalises
  ["https://127.0.0.1/", false],
  ["https://127.1/", false],
  ["https://2130706433/", false],
  ["https://0x7f000001/", false],
  ["https://0x7f.0.0.1/", false],
  ["https://0177.0.0.1/", false],
  ["https://10.0.0.5/", false],
  ["https://012.0.0.5/", false],
  ["https://172.16.0.1/", false],
  ["https://172.31.255.255/", false],
  ["https://172.32.0.1/", true],
  ["https://192.168.1.1/", false],
  ["https://169.254.169.254/latest/meta-data", false],
  ["https://0.0.0.0/", false],
  ["https://100.64.0.1/", false],
  ["https://255.255.255.255/", false],
  // IPv6
  ["https://[::1]/", false],
  ["https://[0:0:0:0:0:0:0:1]/", false],
  ["https://[::]/", false],
  ["https://[::ffff:127.0.0.1]/", false],
  ["https://[::ffff:7f00:1]/", false],
  ["https://[::ffff:10.1.2.3]/", false],
  ["https://[::ffff:93.184.216.34]/", true],
  ["https://[fc00::1]/", false],
  ["https://[fd12:3456::1]/", false],
  ["https://[fe80::1]/", false],
  ["https://[febf::1]/", false],
  ["https://[64:ff9b::a00:1]/", false],
  ["https://[ff02::1]/", false],
];

describe("webhook endpoint URLs", () => {
  it.each(TABLE)("%s → accepted %s", (url, accepted) => {
    expect(webhookUrlProblem(url) === null).toBe(accepted);
  });

  it(`refuses a URL longer than ${MAX_WEBHOOK_URL_LENGTH} characters`, () => {
    const base = "https://hooks.example.com/";
    expect(webhookUrlProblem(base + "a".repeat(MAX_WEBHOOK_URL_LENGTH - base.length))).toBeNull();
    expect(webhookUrlProblem(base + "a".repeat(MAX_WEBHOOK_URL_LENGTH - base.length + 1))).not.toBeNull();
  });
});
