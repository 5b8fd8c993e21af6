// The results: bench/results/latest.json, the Markdown of bench/results/latest.md (and, with
// --update-readme, of bench/README.md's "Latest results"), and the machine they came from.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { BENCH_DIR, RESULTS_DIR, RUN_ORDER, SETTINGS } from "./settings.mjs";

const require = createRequire(import.meta.url);

export const fmt = (v, digits = 2) =>
  v === null || v === undefined ? "-" : typeof v === "number" ? v.toFixed(digits) : String(v);

const answers = (statuses) =>
  Object.entries(statuses ?? {})
    .map(([s, c]) => `${s}: ${c}`)
    .join(", ");

/** A Markdown table; columns are right-aligned unless `left`. */
export function table(rows, columns) {
  const widths = columns.map((c) => Math.max(c.title.length, ...rows.map((r) => c.get(r).length)));
  const line = (cells) =>
    "| " +
    cells.map((cell, i) => (columns[i].left ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(" | ") +
    " |";
  const rule =
    "|" + widths.map((w, i) => (columns[i].left ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|";
  return [line(columns.map((c) => c.title)), rule, ...rows.map((r) => line(columns.map((c) => c.get(r))))].join("\n");
}

export function machine() {
  const cpus = os.cpus();
  let workerd = "unknown";
  try {
    workerd = require("workerd/package.json").version;
  } catch {
    /* not resolvable from here */
  }
  return {
    cpu_model: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    wrangler: require("wrangler/package.json").version,
    workerd,
  };
}

const scenarioColumns = [
  { title: "scenario", left: true, get: (r) => r.name },
  { title: "req/s", get: (r) => fmt(r.rps, 0) },
  { title: "p50 ms", get: (r) => fmt(r.p50_ms) },
  { title: "p99 ms", get: (r) => fmt(r.p99_ms) },
  { title: "× baseline", get: (r) => fmt(r.ratio_to_baseline) },
  {
    title: "per round",
    left: true,
    get: (r) =>
      r.rounds?.every((x) => x.ratio_to_baseline !== null)
        ? r.rounds.map((x) => fmt(x.ratio_to_baseline)).join(", ")
        : "-",
  },
  { title: "workerd CPU ms/req", get: (r) => fmt(r.worker_cpu_ms_per_request, 3) },
  { title: "DO calls/req", get: (r) => fmt(r.do_calls_per_request) },
  { title: "rows written/req", get: (r) => fmt(r.rows_written_per_request, 3) },
  { title: "rows read/req", get: (r) => fmt(r.rows_read_per_request, 3) },
  { title: "USD per million", get: (r) => fmt(r.cost_usd_per_million, 3) },
  { title: "answers", left: true, get: (r) => answers(r.statuses) },
];

const accuracyColumns = [
  { title: "limiter", left: true, get: (r) => r.name },
  { title: "limit", get: (r) => String(r.limit) },
  {
    title: "admitted per 60 s window",
    left: true,
    get: (r) => r.windows.join(", ") + (r.last_window_seconds < 60 ? ` (last: first ${r.last_window_seconds} s)` : ""),
  },
  { title: "÷ limit", left: true, get: (r) => r.admitted_per_limit.map((v) => v.toFixed(2)).join(", ") },
  { title: "max in any 60 s", get: (r) => String(r.max_admitted_in_any_60s) },
  { title: "wrongly refused", get: (r) => String(r.wrongly_rejected) },
  { title: "offered", get: (r) => String(r.offered) },
  { title: "answers", left: true, get: (r) => answers(r.statuses) },
];

function warnings(out) {
  return [
    ...out.scenarios
      .filter((r) => r.unexpected_answers || r.errors)
      .map(
        (r) =>
          `- ${r.name}: ${r.unexpected_answers} unexpected answers, ${r.errors} connection errors or timeouts (see "answers")`,
      ),
    ...out.accuracy
      .filter((a) => a.unknown_outcomes)
      .map((a) => `- accuracy ${a.name}: ${a.unknown_outcomes} requests got no answer, so its windows may undercount`),
    ...out.accuracy
      .filter((a) => a.wrongly_rejected)
      .map(
        (a) =>
          `- accuracy ${a.name}: ${a.wrongly_rejected} requests were refused (429) while fewer than ${a.limit} had been admitted in their trailing 60 s`,
      ),
    ...(out.memory_mb === null
      ? [
          `- memory: the workerd process running the Worker died during the memory phase (last seen at ${fmt(out.memory_last_seen_mb, 1)} MB); the phase stopped there`,
        ]
      : []),
    ...(out.memory_detail.clients < out.memory_detail.clients_planned
      ? [
          `- memory: only ${out.memory_detail.clients} of ${out.memory_detail.clients_planned} clients were used before the time limit`,
        ]
      : []),
  ];
}

export function renderMarkdown(out) {
  const m = out.machine;
  const s = out.settings;
  const warned = warnings(out);
  return [
    `Run of ${out.started_at} (${out.total_seconds} s in all) on ${m.cpu_model}, ${m.cores} cores, ${m.os}, Node ${m.node}, wrangler ${m.wrangler}, workerd ${m.workerd}.`,
    `${s.connections} connections, ${s.warmup_s} s warm-up + ${s.duration_s} s per scenario (one-client: ${s.one_client_connections} connections on one client, ${s.one_client_warmup_requests} + ${s.one_client_requests} requests, a fresh client of limit ${s.one_client_rate_limit} per round), ${s.rounds} rounds in the order ${RUN_ORDER.filter((name) => out.scenarios.some((r) => r.name === name)).join(", ")}, each followed by a pause for deferred work (the accuracy run's ~25 req/s ran alongside the first round), means of the rounds; load sent ${out.target}; state on ${out.persistence}. DO calls/req: Durable Object calls the Worker made per answered request, counted in the bench Worker.`,
    "",
    table(out.scenarios, scenarioColumns),
    "",
    `Accuracy: limit ${SETTINGS.accuracy_limit}, ${SETTINGS.accuracy_load_factor}× the limit offered by ${SETTINGS.accuracy_connections} connections in bursts of ${SETTINGS.accuracy_burst}, for ${SETTINGS.accuracy_seconds} s; windows start at the first admission.`,
    "",
    table(out.accuracy, accuracyColumns),
    "",
    `Memory (workerd running the Worker, VmRSS): ${fmt(out.memory_before_mb, 1)} MB before, ${fmt(out.memory_mb, 1)} MB after ${out.memory_detail?.clients ?? "-"} distinct clients were created and used once each (+${fmt(out.memory_delta_mb, 1)} MB; peak ${fmt(out.memory_peak_mb, 1)} MB); their first requests were answered ${answers(out.memory_detail?.use_statuses)}.`,
    ...(warned.length ? ["", "**Warnings**", ...warned] : []),
  ].join("\n");
}

/** Writes latest.json and latest.md (and the README's results section when asked); returns the Markdown. */
export function writeResults(out, { updateReadme }) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const jsonPath = path.join(RESULTS_DIR, "latest.json");
  writeFileSync(jsonPath + ".tmp", JSON.stringify(out, null, 2) + "\n");
  renameSync(jsonPath + ".tmp", jsonPath);
  const markdown = renderMarkdown(out);
  writeFileSync(path.join(RESULTS_DIR, "latest.md"), markdown + "\n");
  if (updateReadme) {
    const readme = path.join(BENCH_DIR, "README.md");
    const text = readFileSync(readme, "utf8");
    const start = "<!-- bench:results:start -->";
    const end = "<!-- bench:results:end -->";
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a !== -1 && b > a)
      writeFileSync(readme, text.slice(0, a + start.length) + "\n" + markdown + "\n" + text.slice(b));
  }
  return markdown;
}
