import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.ts';

/** A sink for logs a test does not read. */
export function quietStream(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

export function quietLogger(): Logger {
  return createLogger('error', quietStream());
}
