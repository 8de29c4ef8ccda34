/** Time as the scheduler and leader election see it; tests pass a virtual clock instead of real timers. */
export interface Clock {
  /** Wall-clock time in ms: for timestamps others read (Lease times, cron fire times). */
  now(): number;
  /**
   * A clock that never jumps, in ms from an arbitrary origin: for durations this process measures itself (how long
   * a Lease or a claim stayed unchanged). Absent = `now`, for clocks that cannot jump anyway (virtual ones).
   */
  monotonic?(): number;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

export function monotonic(clock: Clock): () => number {
  return clock.monotonic ? () => clock.monotonic?.() ?? clock.now() : () => clock.now();
}
