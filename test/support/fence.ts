import type { RunFence } from '../../src/schedule/scheduler.ts';

/** A claim that is never lost: what a scheduled post goes through when the test is not about the claim. */
export function heldFence(): RunFence {
  return { signal: new AbortController().signal, commit: (effect) => effect() };
}
