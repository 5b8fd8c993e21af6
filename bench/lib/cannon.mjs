// One autocannon run, with latencies at sub-millisecond resolution and the Worker's CPU time.
import autocannon from "autocannon";
import { performance } from "node:perf_hooks";
import { cpuSeconds } from "./proc.mjs";

/**
 * `requests` are handed out round-robin across all connections (so that concurrent requests name
 * different clients). `length` is `{seconds}` or `{amount}` (that many requests, then stop).
 * Latencies are recorded here from autocannon's per-response event, for every status.
 */
export function cannon(base, requests, length, connections, cpuPids = []) {
  return new Promise((resolve, reject) => {
    const cpuBefore = cpuPids.map(cpuSeconds);
    let next = 0;
    let latencies = new Float64Array(1 << 16);
    let n = 0;
    const statuses = {};
    const started = performance.now();
    const instance = autocannon(
      {
        url: base,
        connections,
        ...(length.amount ? { amount: length.amount } : { duration: length.seconds }),
        pipelining: 1,
        timeout: 10,
        requests: [
          {
            setupRequest: (req) => {
              const r = requests[next++ % requests.length];
              return { ...req, method: "GET", path: r.path, headers: r.headers };
            },
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        const wall = (performance.now() - started) / 1000;
        const sorted = latencies.subarray(0, n).sort();
        const q = (p) => (n ? sorted[Math.min(n - 1, Math.floor(p * n))] : null);
        const cpu = cpuPids.map((pid, i) => cpuSeconds(pid) - cpuBefore[i]);
        resolve({
          cpu_ms_per_request: n && cpu.length ? cpu.map((c) => (c * 1000) / n) : null,
          cpu_utilisation: cpu.length ? cpu.map((c) => c / wall) : null,
          rps: n / Math.min(wall, result.duration || wall),
          p50_ms: q(0.5),
          p99_ms: q(0.99),
          responses: n,
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (n === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[n++] = responseTime;
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
}
