// The scoring of an accuracy run, pure: from what was sent and answered when, how many a limiter
// admitted per 60 s window, at most in any 60 s, and how many it refused wrongly.

const WINDOW_MS = 60_000;

/**
 * `samples`: one per request, `{sent, received, status}` in ms on one clock (status 0: no answer);
 * `start`: when the run began. Windows start at the moment the first admitted request was sent and
 * each admission is placed at the moment its answer arrived, so an exact limiter can never appear
 * to over-admit from network jitter, while one that does over-admit shows it.
 */
export function scoreAccuracy(samples, { limit, start }) {
  const admitted = samples.filter((s) => s.status === 200);
  const statuses = {};
  for (const s of samples) statuses[s.error ?? s.status] = (statuses[s.error ?? s.status] ?? 0) + 1;
  const windows = [];
  let maxIn60 = 0;
  let lastWindowSeconds = null;
  if (admitted.length) {
    const anchor = Math.min(...admitted.map((s) => s.sent));
    const end = Math.max(...samples.map((s) => s.received));
    const count = Math.ceil((end - anchor) / WINDOW_MS);
    for (let i = 0; i < count; i++) windows.push(0);
    for (const s of admitted) windows[Math.min(count - 1, Math.floor((s.received - anchor) / WINDOW_MS))]++;
    lastWindowSeconds = Math.round(((end - anchor) / 1000 - (count - 1) * 60) * 10) / 10;
    // A lower bound of the most admissions any 60 s holds: those sent after one admitted request
    // was sent and answered before 60 s from then certainly fell within that 60 s.
    for (const a of admitted) {
      const inside = admitted.filter((b) => b.sent >= a.sent && b.received < a.sent + WINDOW_MS).length;
      maxIn60 = Math.max(maxIn60, inside);
    }
  }
  const fullWindows = windows.slice(0, lastWindowSeconds !== null && lastWindowSeconds < 60 ? -1 : undefined);
  // Under-admission: a 429 is certainly wrong when even every admission that could have been
  // decided before it, within its trailing 60 s, numbers fewer than the limit.
  let wronglyRejected = 0;
  for (const r of samples) {
    if (r.status !== 429) continue;
    const possible = admitted.filter((a) => a.sent < r.received && a.received > r.sent - WINDOW_MS).length;
    if (possible < limit) wronglyRejected++;
  }
  return {
    limit,
    windows,
    admitted_per_limit: windows.map((w) => Math.round((w / limit) * 1000) / 1000),
    last_window_seconds: lastWindowSeconds,
    over_admitted: fullWindows.reduce((sum, w) => sum + Math.max(0, w - limit), 0),
    under_admitted: fullWindows.reduce((sum, w) => sum + Math.max(0, limit - w), 0),
    max_admitted_in_any_60s: maxIn60,
    /** 429s answered while certainly fewer than `limit` had been admitted in the trailing 60 s. */
    wrongly_rejected: wronglyRejected,
    first_admission_after_s: admitted.length
      ? Math.round((Math.min(...admitted.map((a) => a.sent)) - start) / 100) / 10
      : null,
    offered: samples.length,
    /** Requests that got no answer (connection error or timeout): admitted or not, unknown. */
    unknown_outcomes: samples.filter((s) => s.status === 0).length,
    statuses,
  };
}
