import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { renderStatusSlack } from '../commands/status.render.ts';
import { proxyStatusStream } from '../src/istioctl/parsers/proxy-status-bytes.ts';
import { createIstioctlRunner } from '../src/istioctl/runner.ts';
import { summarizeStatus } from '../src/mesh/status.ts';

/**
 * One measurement in a fresh process (so peak RSS belongs to this size alone): read + summarize + render the Slack
 * message of one proxy-status output, several times. The output comes as the bot gets it: from a child process
 * (`cat FILE`, standing in for istioctl) through the bot's runner, whose reader parses each chunk as it arrives
 * (src/istioctl/istioctl.ts, proxyStatus). The cache is off, so every run reads the child's output again.
 */
const [file, runsText] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/proxy-status.ts OUTPUT_FILE [RUNS]');
const inputBytes = statSync(file).size;
const runs = Number(runsText ?? '7');
const run = createIstioctlRunner({ binary: 'cat', timeoutMs: 600_000, cacheTtlMs: 0, concurrency: 1, maxOutputBytes: 1024 * 1024 * 1024 });
const reader = { name: 'proxy-status', open: proxyStatusStream };
// Node, type stripping, zod, execa and the bot's modules, before any output exists.
const modulesRssBytes = process.resourceUsage().maxRSS * 1024;
const timings: number[] = [];
let proxies = 0;
for (let index = 0; index < runs; index += 1) {
  const started = performance.now();
  const outcome = await run({ args: [file], stdoutReader: reader });
  if (!outcome.ok) throw new Error(outcome.error.message);
  const parsed = outcome.value.stdoutRead;
  if (!parsed?.ok) throw new Error(parsed ? parsed.error.message : 'no reader value');
  const summary = summarizeStatus({ report: parsed.value, istiods: [{ name: 'istiod-0', ready: true, readyContainers: 1, totalContainers: 1, version: '1.24.2', revision: 'default', restarts: 0, phase: 'Running' }] });
  const message = renderStatusSlack({ cluster: 'bench', asOf: new Date(), errors: [], summary, istioctlVersion: 'bench' });
  timings.push(performance.now() - started);
  proxies = summary.proxies?.total ?? 0;
  if (message.blocks.length > 50) throw new Error('message over the block limit');
}
timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)] ?? Number.NaN;
process.stdout.write(`${JSON.stringify({ proxies, inputBytes, medianMs: median, minMs: timings[0], maxMs: timings.at(-1), modulesRssBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
