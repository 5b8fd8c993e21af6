/** What a call that ran past its deadline rejects with (the call itself may still finish later). */
export class DeadlineExceeded extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms.`);
    this.name = "DeadlineExceeded";
  }
}

/**
 * `work`, or a DeadlineExceeded once `ms` have passed without it settling. The timer is a real
 * one (a test's ManualClock does not move it): tests shorten `ms` instead of sleeping. It is
 * cleared as soon as `work` settles, so a healthy call leaves no timer behind.
 */
export function withDeadline<T>(
  work: PromiseLike<T>,
  ms: number,
  what: string,
  /** What a failure rejects with instead (its DeadlineExceeded included): one promise, not a `.catch` chained on. */
  fail: (err: unknown) => unknown = (err) => err,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(fail(new DeadlineExceeded(what, ms))), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(fail(err));
      },
    );
  });
}
