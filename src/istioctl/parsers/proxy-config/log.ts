import { ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { failure, textLines } from './common.ts';

/** Logger levels of one proxy, from Envoy's /logging response. */
export interface ProxyLogLevels {
  /** istioctl's `pod.namespace` header; '' when the text is a bare /logging response. */
  readonly proxy: string;
  /** logger → level, in Envoy's order. */
  readonly loggers: Readonly<Record<string, string>>;
}

/**
 * `istioctl proxy-config log POD` prints `<pod>.<ns>:` then Envoy's `active loggers:` list; with a selector it
 * repeats that per pod. A bare /logging response (no header) is accepted too.
 */
export function parseLogLevels(text: string): Result<ProxyLogLevels[], ParseFailure> {
  const proxies: { proxy: string; loggers: Record<string, string> }[] = [];
  let current: { proxy: string; loggers: Record<string, string> } | undefined;
  for (const line of textLines(text)) {
    if (line.trim() === '') continue;
    const logger = /^\s+([\w.:-]+): (\w+)\s*$/.exec(line);
    if (logger) {
      if (!current) {
        current = { proxy: '', loggers: {} };
        proxies.push(current);
      }
      current.loggers[logger[1] ?? ''] = logger[2] ?? '';
      continue;
    }
    if (line.trim() === 'active loggers:') {
      if (!current || Object.keys(current.loggers).length > 0) {
        current = { proxy: '', loggers: {} };
        proxies.push(current);
      }
      continue;
    }
    const header = /^(\S+):\s*$/.exec(line);
    if (header) {
      current = { proxy: header[1] ?? '', loggers: {} };
      proxies.push(current);
      continue;
    }
    return failure(`unexpected line in proxy-config log output: ${JSON.stringify(line.slice(0, 120))}`);
  }
  if (proxies.length === 0) return failure('proxy-config log output lists no loggers.');
  return ok(proxies);
}
