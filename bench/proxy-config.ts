import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { renderProxyConfigSlack } from '../commands/proxy-config.render.ts';
import { summarizeProxyConfig } from '../src/mesh/proxy-config-report.ts';

/**
 * One measurement in a fresh process (peak RSS belongs to this input alone): parse + summarize + render the
 * Slack message of one `proxy-config all -o json` config dump, several times.
 */
const [file, runsText] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/proxy-config.ts CONFIG_DUMP_FILE [RUNS]');
const input = readFileSync(file, 'utf8');
const runs = Number(runsText ?? '5');
const timings: number[] = [];
let clusters = 0;
let endpoints = 0;
for (let run = 0; run < runs; run += 1) {
  const started = performance.now();
  const now = new Date();
  const report = summarizeProxyConfig({ type: 'all', format: 'json', stdout: input }, { now });
  if (!report.ok) throw new Error(report.error.message);
  const message = renderProxyConfigSlack({ cluster: 'bench', asOf: now, errors: [], type: 'all', pod: 'bench', namespace: 'default', report: report.value });
  timings.push(performance.now() - started);
  if (report.value.type === 'all') {
    clusters = report.value.all.clusters?.total ?? 0;
    endpoints = report.value.all.endpoints?.total ?? 0;
  }
  if (message.blocks.length > 50) throw new Error('message over the block limit');
}
timings.sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify({ clusters, endpoints, inputBytes: Buffer.byteLength(input), medianMs: timings[Math.floor(timings.length / 2)], minMs: timings[0], maxMs: timings.at(-1), peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
