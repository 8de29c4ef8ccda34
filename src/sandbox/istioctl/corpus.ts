// Where the simulator finds the real istioctl outputs it replays: the test corpus of this checkout
// (test/fixtures/istioctl, a copy of ../shared/istioctl-corpus). There is one copy on purpose, so the sandbox
// shows exactly the bytes the tests pin; the simulator therefore runs from a checkout, not from the image.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Resolved from this module's own location, so it works whatever the working directory is. */
export const CORPUS_ROOT = new URL('../../../test/fixtures/istioctl/', import.meta.url);

/** A corpus file's text, or an error naming the missing file and why it must be there. */
export function corpusText(path: string): string {
  const url = new URL(path, CORPUS_ROOT);
  if (!existsSync(url)) {
    throw new Error(`istioctl corpus file ${fileURLToPath(url)} is missing: the simulated istioctl replays test/fixtures/istioctl of a mesh-bot checkout`);
  }
  return readFileSync(url, 'utf8');
}
