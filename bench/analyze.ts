import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { renderAnalyzeSlack } from '../commands/analyze.render.ts';
import { catalogueFor } from '../src/istioctl/analyze-catalogue.ts';
import { parseAnalyzeJsonBytes } from '../src/istioctl/parsers/analyze.ts';
import { diffAgainstSnapshot, summarizeAnalyze, toSnapshot } from '../src/mesh/analyze.ts';

/**
 * One measurement in a fresh process: parse + summarize + diff against the previous snapshot + render the
 * Slack message of one `istioctl analyze -o json` output, several times.
 */
const [file, runsText] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/analyze.ts ANALYZE_JSON_FILE [RUNS]');
// Node, type stripping, zod and the bot's modules, before any output exists.
const modulesRssBytes = process.resourceUsage().maxRSS * 1024;
// As bytes, as the bot gets them from istioctl (src/istioctl/istioctl.ts).
const input = readFileSync(file);
const runs = Number(runsText ?? '7');
const timings: number[] = [];
let findings = 0;
let snapshotBytes = 0;
for (let run = 0; run < runs; run += 1) {
  const started = performance.now();
  const parsed = parseAnalyzeJsonBytes(input);
  if (!parsed.ok) throw new Error(parsed.error.message);
  // The previous run: the same findings minus every tenth, so the diff has real work to do.
  const snapshot = toSnapshot(parsed.value.filter((_finding, index) => index % 10 !== 0));
  const diff = diffAgainstSnapshot(snapshot, parsed.value);
  const summary = summarizeAnalyze(parsed.value, { catalogue: catalogueFor({ major: 1, minor: 28 }) });
  const message = renderAnalyzeSlack({ cluster: 'bench', scope: { kind: 'all' }, asOf: new Date(), errors: [], findings: parsed.value, summary, istioctlVersion: '1.28.1', namespaceDefaulted: false, previous: { at: new Date().toISOString(), diff } });
  timings.push(performance.now() - started);
  findings = summary.total;
  snapshotBytes = Buffer.byteLength(JSON.stringify(snapshot));
  if (message.blocks.length > 50) throw new Error('message over the block limit');
}
timings.sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify({ findings, snapshotBytes, inputBytes: input.byteLength, medianMs: timings[Math.floor(timings.length / 2)], minMs: timings[0], maxMs: timings.at(-1), modulesRssBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
