// The memory figure: workerd's resident memory before and after many distinct clients were each
// used once (bench/README.md, "Memory").
import { performance } from "node:perf_hooks";
import { clearInterval, setInterval } from "node:timers";
import { setTimeout as sleep } from "node:timers/promises";
import { pool, request } from "./http.mjs";
import { cpuSeconds, rssMb, rssParts, workerdUnder } from "./proc.mjs";
import { MEMORY_DEADLINE_MS, SETTINGS, t0 } from "./settings.mjs";

/**
 * Minted with the gateway's own code and inserted into D1 by a bench-only route
 * (bench/seed-clients.ts explains why); each client's Durable Object is created by its first request.
 */
async function seedMemoryClients(gw, count) {
  const chunk = 500;
  const chunks = await pool(Math.ceil(count / chunk), 2, async (k) => {
    const n = Math.min(chunk, count - k * chunk);
    const res = await request(gw.base, "POST", "/bench/seed-clients", {
      headers: { authorization: `Bearer ${gw.adminToken}` },
      body: { count: n, rate_limit: 100 },
      timeoutMs: 120_000,
    });
    if (res.status !== 201 || !Array.isArray(res.json?.clients))
      throw new Error(`seeding answered ${res.status}: ${res.text.slice(0, 300)}`);
    return res.json.clients;
  });
  return chunks.flat();
}

/**
 * Paced: every client's first request creates its Durable Object, and each object wakes again 20 s
 * later to flush its usage to D1, so local workerd holds thousands of SQLite-backed objects at
 * once. Unpaced, it overloads (SQLITE_NOMEM, connect() timeouts, 503s) and at times dies; at ~90
 * new clients/s it stays clean on a 2-core machine. The pace drops by 30 % after a failure and
 * climbs back by 10/s per clean 5 s.
 */
const MAX_RATE = 90;
function pacer() {
  let rate = MAX_RATE;
  let lowest = rate;
  let slot = performance.now();
  let lastCut = 0;
  let cleanSince = performance.now();
  return {
    async next() {
      const now = performance.now();
      if (now - cleanSince > 5000 && rate < MAX_RATE) {
        rate = Math.min(MAX_RATE, rate + 10);
        cleanSince = now;
      }
      const due = Math.max(slot, now);
      slot = due + 1000 / rate;
      if (due > now) await sleep(due - now);
    },
    failed() {
      const now = performance.now();
      cleanSince = now;
      if (now - lastCut > 1000) {
        rate = Math.max(20, rate * 0.7);
        lastCut = now;
      }
      lowest = Math.min(lowest, rate);
    },
    lowest: () => lowest,
  };
}

/** A 503 or a reset is counted and retried (twice at most), so that every client gets used. */
export async function memoryRun(gw) {
  const pid = gw.runtime?.pid;
  const processes = () =>
    workerdUnder(gw.child.pid).map((w) => ({
      pid: w.pid,
      role: w.pid === pid ? "worker" : "proxy",
      ...rssParts(w.pid),
    }));
  const before = pid ? rssMb(pid) : null;
  const beforeAll = processes();
  const count = SETTINGS.memory_clients;
  const started = performance.now();
  const clients = await seedMemoryClients(gw, count);
  const createSeconds = (performance.now() - started) / 1000;
  const useStarted = performance.now();
  const cpuBefore = pid ? cpuSeconds(pid) : null;
  const statuses = {};
  let used = 0;
  // Sampled every second: the peak, and the last value seen should the process die meanwhile.
  let peak = before ?? 0;
  let last = before;
  let gone = false;
  const sampler = setInterval(() => {
    const now = pid ? rssMb(pid) : null;
    if (now === null) gone = true;
    else {
      last = now;
      peak = Math.max(peak, now);
    }
  }, 1000);
  const pace = pacer();
  await pool(count, 16, async (i) => {
    const c = clients[i];
    for (let attempt = 0; attempt < 3; attempt++) {
      await pace.next();
      if (gone || performance.now() - t0 > MEMORY_DEADLINE_MS) return;
      if (attempt === 0) used++;
      let outcome;
      try {
        outcome = (
          await request(gw.base, "GET", "/v1/memory", {
            headers: { "X-Client-ID": c.id, "X-Client-Secret": c.secret },
            timeoutMs: 15_000,
          })
        ).status;
      } catch (err) {
        outcome = `error ${err.code ?? err.message}`;
      }
      statuses[outcome] = (statuses[outcome] ?? 0) + 1;
      if (outcome === 200 || (typeof outcome === "number" && outcome !== 503)) break;
      pace.failed();
    }
  });
  const useSeconds = (performance.now() - useStarted) / 1000;
  clearInterval(sampler);
  const after = pid ? rssMb(pid) : null;
  const cpuUsed = after !== null ? cpuSeconds(pid) - cpuBefore : null;
  return {
    memory_mb: after,
    memory_before_mb: before,
    memory_delta_mb: after !== null && before !== null ? Math.round((after - before) * 10) / 10 : null,
    memory_peak_mb: after === null ? peak : Math.max(peak, after),
    memory_last_seen_mb: after ?? last,
    memory_detail: {
      clients: used,
      clients_planned: count,
      worker_cpu_seconds: cpuUsed === null ? null : Math.round(cpuUsed * 10) / 10,
      worker_cpu_busy: cpuUsed === null ? null : Math.round((cpuUsed / useSeconds) * 100) / 100,
      seed_seconds: Math.round(createSeconds * 10) / 10,
      use_seconds: Math.round(useSeconds * 10) / 10,
      use_statuses: statuses,
      pace_per_s: { max: MAX_RATE, lowest: Math.round(pace.lowest()) },
      processes_before: beforeAll,
      processes_after: processes(),
    },
  };
}
