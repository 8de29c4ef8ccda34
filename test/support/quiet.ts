import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.ts';

/** A sink for logs a test does not read. */
export function quietStream(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

export function quietLogger(): Logger {
  return createLogger('error', quietStream());
}

/** A logger at `level` whose output a test reads back as text (one JSON line per entry). */
export function capturingLogger(level: string): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { logger: createLogger(level, sink), text: () => chunks.join('') };
}
