// What a million requests of a scenario cost at Cloudflare's published Workers Paid prices (the
// per-unit prices beyond the plan's included usage; the $5 monthly minimum and the free
// allowances are left out), from the figures the bench measures per request. Pure.
// bench/README.md ("Cost per request") names each price, the page it is published on, and when
// it was read; keep the two in step.

/** USD per unit, beyond the included usage. */
export const PRICES = {
  worker_request: 0.3 / 1e6,
  worker_cpu_ms: 0.02 / 1e6,
  do_request: 0.15 / 1e6,
  /** Per GB-second of wall time while an object is active; every object is billed at 128 MB. */
  do_gb_second: 12.5 / 1e6,
  row_read: 0.001 / 1e6,
  row_written: 1.0 / 1e6,
  kv_read: 0.5 / 1e6,
  /** Writes, deletes and lists alike. */
  kv_write: 5.0 / 1e6,
};

const DO_MEMORY_GB = 128 / 1024;

/**
 * `perRequest`: {worker_cpu_ms, do_calls, do_call_ms, rows_read, rows_written, kv_reads, kv_writes},
 * each per request (rows: Durable Object SQLite and D1 together, priced alike). Null figures count
 * as 0, except CPU, without which no cost is given.
 */
export function costPerMillion(perRequest) {
  const v = (x) => x ?? 0;
  if (perRequest.worker_cpu_ms === null || perRequest.worker_cpu_ms === undefined) return null;
  const perOne =
    PRICES.worker_request +
    perRequest.worker_cpu_ms * PRICES.worker_cpu_ms +
    v(perRequest.do_calls) * PRICES.do_request +
    (v(perRequest.do_call_ms) / 1000) * DO_MEMORY_GB * PRICES.do_gb_second +
    v(perRequest.rows_read) * PRICES.row_read +
    v(perRequest.rows_written) * PRICES.row_written +
    v(perRequest.kv_reads) * PRICES.kv_read +
    v(perRequest.kv_writes) * PRICES.kv_write;
  return Math.round(perOne * 1e6 * 1e4) / 1e4;
}
