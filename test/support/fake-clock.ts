import type { Clock } from '../../src/schedule/clock.ts';

interface Timer {
  readonly at: number;
  readonly resolve: () => void;
}

/**
 * Virtual time: sleeps resolve only when a test advances the clock past them. Between timer firings it
 * yields briefly to real time so HTTP round trips to the fake API and fake Slack can complete.
 */
export class FakeClock implements Clock {
  #now: number;
  #timers: Timer[] = [];

  constructor(start: Date | string) {
    this.#now = new Date(start).getTime();
  }

  now = (): number => this.#now;

  sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = { at: this.#now + Math.max(0, ms), resolve: () => resolve() };
      this.#timers.push(timer);
      signal.addEventListener(
        'abort',
        () => {
          this.#timers = this.#timers.filter((candidate) => candidate !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });

  /** Moves time to `now + ms`, firing each due timer in order and letting the work it triggers run. */
  async advance(ms: number, settleMs = 25): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const due = this.#timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.#now = Math.max(this.#now, due.at);
      due.resolve();
    }
    this.#now = target;
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  }
}

/**
 * Advances the clocks in steps until `probe` sees the expected effect. Work triggered by a timer does real
 * I/O before it sleeps again, so under load a single advance can end before the next sleep exists; stepping
 * until the effect shows makes that race harmless. Fails when `limitMs` of virtual time pass without it.
 */
export async function advanceUntil<T>(clocks: readonly FakeClock[], probe: () => T | undefined | false, { stepMs = 1_000, limitMs = 120_000 } = {}): Promise<T> {
  for (let elapsed = 0; elapsed <= limitMs; elapsed += stepMs) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    await Promise.all(clocks.map((clock) => clock.advance(stepMs)));
  }
  throw new Error(`condition not met within ${limitMs} ms of virtual time`);
}
