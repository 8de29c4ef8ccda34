import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { notStartedError } from './errors.ts';

/**
 * Why `binary` cannot be run as istioctl, as one sentence plus what to do; null when it can. A name without "/" is
 * looked up on PATH as a shell would (directories and non-executable files there are passed over).
 */
export function istioctlProblem(binary: string, path: string): string | null {
  const onPath = !binary.includes('/');
  const candidates = onPath ? path.split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, binary)) : [binary];
  for (const candidate of candidates) {
    let directory: boolean;
    try {
      directory = statSync(candidate).isDirectory();
    } catch {
      continue;
    }
    if (directory) {
      if (onPath) continue;
      return notStartedError(binary, undefined, true).message;
    }
    try {
      accessSync(candidate, constants.X_OK);
      return null;
    } catch {
      if (onPath) continue;
      // The sentence a command's run would give (src/istioctl/errors.ts), said at start instead.
      return notStartedError(binary, 'EACCES').message;
    }
  }
  return onPath ? `${binary} is not on PATH. Install istioctl 1.20 or newer, or set ISTIOCTL to its path.` : `${binary} does not exist. Set ISTIOCTL to the path of istioctl 1.20 or newer.`;
}
