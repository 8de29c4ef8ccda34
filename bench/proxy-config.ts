import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { renderProxyConfigSlack } from '../commands/proxy-config.render.ts';
import { summarizeProxyConfig } from '../src/mesh/proxy-config-report.ts';

/**
 * ONE summarize + render of one `proxy-config all -o json` config dump in this (fresh) process, so the peak RSS
 * is that run's alone: runs repeated in one process leave garbage behind that inflates the high-water mark.
 * bench/run.ts starts several of these and takes the median time and the highest peak.
 *
 * Besides the peak it reports the two floors under it: the process with every module loaded (Node, type
 * stripping, zod, the bot's modules) before the input exists, and the peak while reading the input: its bytes,
 * as the bot gets istioctl's `-o json` output (the runner keeps it as bytes; the parsers decode one piece at a
 * time, so the dump never exists as one string).
 */
const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/proxy-config.ts CONFIG_DUMP_FILE');
const maxRss = () => process.resourceUsage().maxRSS * 1024;
const modulesRssBytes = maxRss();
const input = readFileSync(file);
const inputReadRssBytes = maxRss();
const started = performance.now();
const now = new Date();
// As istioctl.proxyConfig answers: the bytes, with stdout decoded only if read (the summary does not).
const report = summarizeProxyConfig({ type: 'all', format: 'json', bytes: input, get stdout() { return input.toString('utf8'); } }, { now });
if (!report.ok) throw new Error(report.error.message);
const message = renderProxyConfigSlack({ cluster: 'bench', asOf: now, errors: [], type: 'all', pod: 'bench', namespace: 'default', report: report.value });
const ms = performance.now() - started;
if (message.blocks.length > 50) throw new Error('message over the block limit');
const all = report.value.type === 'all' ? report.value.all : undefined;
process.stdout.write(
  `${JSON.stringify({
    clusters: all?.clusters?.total ?? 0,
    endpoints: all?.endpoints?.total ?? 0,
    inputBytes: input.length,
    ms,
    modulesRssBytes,
    inputReadRssBytes,
    peakRssBytes: maxRss(),
  })}\n`,
);
