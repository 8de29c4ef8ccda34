import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { renderStatusSlack } from '../commands/status.render.ts';
import { parseProxyStatusBytes } from '../src/istioctl/parsers/proxy-status-bytes.ts';
import { summarizeStatus } from '../src/mesh/status.ts';

/**
 * One measurement in a fresh process (so peak RSS belongs to this size alone):
 * parse + summarize + render the Slack message of one proxy-status output, several times. The output is read as
 * bytes, as the bot gets it from istioctl (src/istioctl/istioctl.ts).
 */
const [file, runsText] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/proxy-status.ts OUTPUT_FILE [RUNS]');
const input = readFileSync(file);
const runs = Number(runsText ?? '7');
const timings: number[] = [];
let proxies = 0;
for (let run = 0; run < runs; run += 1) {
  const started = performance.now();
  const parsed = parseProxyStatusBytes(input);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const summary = summarizeStatus({ report: parsed.value, istiods: [{ name: 'istiod-0', ready: true, readyContainers: 1, totalContainers: 1, version: '1.24.2', revision: 'default', restarts: 0, phase: 'Running' }] });
  const message = renderStatusSlack({ cluster: 'bench', asOf: new Date(), errors: [], summary, istioctlVersion: 'bench' });
  timings.push(performance.now() - started);
  proxies = summary.proxies?.total ?? 0;
  if (message.blocks.length > 50) throw new Error('message over the block limit');
}
timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)] ?? Number.NaN;
process.stdout.write(`${JSON.stringify({ proxies, inputBytes: input.byteLength, medianMs: median, minMs: timings[0], maxMs: timings.at(-1), peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
