/**
 * Successful answers that an edge isolate sent on its own (the `complete` call: no admit call of
 * that isolate came to carry them), held in memory for at most HOLD_MS.
 *
 * Why: an answer written on its own is a row written, as much as the admission it answers. An edge
 * isolate sends a client's answers along with its next admit call for that client, but on
 * Cloudflare's network consecutive requests of one client mostly reach different isolates, so
 * nearly every answer would come on its own and a request would cost two rows instead of one.
 * Held here, an answer rides on the window row of the client's next admission from any isolate,
 * which is written anyway; only when none comes within HOLD_MS is it written on its own.
 *
 * What a restart of the object can lose is then whether the requests answered in the last HOLD_MS
 * succeeded (never the requests themselves, which their admissions recorded): the same bound as an
 * edge isolate's own queue of answers (edge/completions.ts). The object stays in memory far longer
 * than that after its last call, so the timer costs no extra time billed.
 */
import type { AnswerSum } from "./window-store";

export const ANSWER_HOLD_MS = 1_000;

export class AnswerHold {
  private held: AnswerSum[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    /** Writes one held sum on its own (the ledger's upsert). */
    private readonly write: (answers: AnswerSum) => void,
  ) {}

  /**
   * Holds these sums, merged by (minute, bucket). The timer armed by the first of them writes
   * whatever is still held HOLD_MS later, so no answer waits longer than that from its first hold.
   */
  hold(sums: AnswerSum[]): void {
    if (sums.length === 0) return;
    this.held = mergeAnswers(this.held, sums);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.release();
    }, ANSWER_HOLD_MS);
  }

  /** Everything held, to ride on window rows; the caller writes what finds no row. */
  take(): AnswerSum[] {
    const held = this.held;
    // Usually nothing is held: no new array on every admit call then.
    if (held.length > 0) this.held = [];
    return held;
  }

  /** Writes everything held now (before a flush reads the ledger). */
  release(): void {
    for (const answers of this.take()) this.write(answers);
  }
}

/** Adds `s` to the sum of its (minute, bucket) in `byKey` (a copy of it when it is the first). */
export function addAnswer(byKey: Map<string, AnswerSum>, s: AnswerSum): void {
  const key = `${s.minute}|${s.bucket}`;
  const sum = byKey.get(key);
  if (!sum) {
    byKey.set(key, { ...s });
    return;
  }
  sum.ok += s.ok;
  sum.units += s.units;
  sum.responseMs += s.responseMs;
  sum.count += s.count;
}

/** The sums of two lists, one per (minute, bucket). */
export function mergeAnswers(a: AnswerSum[], b: AnswerSum[]): AnswerSum[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const byKey = new Map<string, AnswerSum>();
  for (const s of a) addAnswer(byKey, s);
  for (const s of b) addAnswer(byKey, s);
  return [...byKey.values()];
}
