// `istioctl analyze` against the live cluster (the fake's scenario), per version: flags, output formats,
// exit codes (0 / 79 / 64) and the stderr lines of ERROR_STRINGS.md.

import { readFileSync } from 'node:fs';
import { CommandError, EXIT, NotImplemented } from './command.ts';
import { corpusText } from './corpus.ts';
import type { CommandDef, Output, RunContext } from './command.ts';
import { boolValue, flagGiven, flagValue } from './flags.ts';
import type { FlagSpec } from './flags.ts';
import { atLeast } from './version.ts';
import type { ClientVersion } from './version.ts';

const golden = (name: string): string => corpusText(`analyze/formatter-golden/${name}`);

type Level = 'Error' | 'Warning' | 'Info';
const RANK: Readonly<Record<Level, number>> = { Error: 0, Warning: 1, Info: 2 };

interface Finding {
  code: string;
  level: Level;
  message: string;
  /** `Kind ns/name` or `Kind name` (cluster-scoped) */
  origin: string;
}

export function analyzeFlags(v: ClientVersion): FlagSpec[] {
  const flags: FlagSpec[] = [
    { name: 'all-namespaces', shorthand: 'A', kind: 'bool', default: 'false' },
    { name: 'output', shorthand: 'o', kind: 'string', default: 'log' },
    { name: 'timeout', kind: 'duration', default: '30s' },
    { name: 'failure-threshold', kind: 'string', default: 'Error' },
    { name: 'output-threshold', kind: 'string', default: 'Info' },
    { name: 'use-kube', shorthand: 'k', kind: 'bool', default: 'true' },
    { name: 'color', kind: 'bool', default: 'true' },
    { name: 'verbose', shorthand: 'v', kind: 'bool', default: 'false' },
    { name: 'list-analyzers', shorthand: 'L', kind: 'bool', default: 'false' },
    { name: 'suppress', shorthand: 'S', kind: 'stringSlice', default: '[]' },
    { name: 'recursive', shorthand: 'R', kind: 'bool', default: 'true' },
    { name: 'ignore-unknown', kind: 'bool', default: 'false' },
    { name: 'meshConfigFile', kind: 'string', default: '' },
    { name: 'revision', kind: 'string', default: 'default' },
  ];
  // multi-cluster analyze (the ` [cluster-x]` log tag) arrived in 1.26
  if (atLeast(v, 26)) flags.push({ name: 'remote-contexts', kind: 'stringSlice', default: '[]' });
  return flags;
}

/** formatting/msg_threshold.go: level names, any case */
function threshold(ctx: RunContext, flag: string): Level {
  const raw = flagValue(ctx.flags, ctx.specs, flag) ?? '';
  const level = (['Error', 'Warning', 'Info'] as const).find((l) => l.toUpperCase() === raw.toUpperCase());
  if (!level) throw new CommandError(`invalid argument ${JSON.stringify(raw)} for "--${flag}" flag: invalid level option`, EXIT.commandParseError);
  return level;
}

/** Go time.ParseDuration for the units the bot and tests use */
function durationMs(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  return total;
}

/**
 * `healthy` (and the failure scenarios, which concern istiod: analyze reads the Kubernetes API): the findings of
 * the istio.io analyze walk-through (docs-examples), as the cluster would report them (no file reference).
 */
function docsFindings(): Finding[] {
  const hostMissing = (dr: string) => ({ code: 'IST0174', level: 'Warning' as const, message: `The host ${dr} defined in the DestinationRule does not match any services in the mesh.`, origin: `DestinationRule default/${dr}` });
  return [
    { code: 'IST0101', level: 'Error', message: 'Referenced selector not found: "istio=ingressgateway"', origin: 'Gateway default/bookinfo-gateway' },
    { code: 'IST0101', level: 'Error', message: 'Referenced host not found: "productpage"', origin: 'VirtualService default/bookinfo' },
    hostMissing('details'),
    hostMissing('productpage'),
    hostMissing('ratings'),
    hostMissing('reviews'),
    {
      code: 'IST0102',
      level: 'Info',
      message: "The namespace is not enabled for Istio injection. Run 'kubectl label namespace frod istio-injection=enabled' to enable it, or 'kubectl label namespace frod istio-injection=disabled' to explicitly mark it as not needing injection.",
      origin: 'Namespace frod',
    },
  ];
}

/**
 * `bookinfo` (the sandbox's demo mesh): what analyze reports for its objects. Messages follow the templates of the
 * message catalogue (src/istioctl/analyze-messages); IST0173 exists from 1.25 only, so older clients omit it.
 * The DestinationRule `reviews` really has a subset v3 without pods, and the VirtualService `bookinfo` names a
 * Gateway that does not exist, in the sandbox's Kubernetes API too.
 */
function bookinfoFindings(v: ClientVersion): Finding[] {
  const findings: Finding[] = [
    { code: 'IST0101', level: 'Error', message: 'Referenced gateway not found: "bookinfo-gateway"', origin: 'VirtualService bookinfo/bookinfo' },
    { code: 'IST0118', level: 'Info', message: "Port name web (port: 9080, targetPort: 9080) doesn't follow the naming convention of Istio port.", origin: 'Service bookinfo/ratings' },
    { code: 'IST0108', level: 'Warning', message: 'Unknown annotation: sidecar.istio.io/proxyCPUs', origin: 'Pod bookinfo/details-v1-65cfcf56f9-4drsk' },
    {
      code: 'IST0102',
      level: 'Info',
      message: "The namespace is not enabled for Istio injection. Run 'kubectl label namespace default istio-injection=enabled' to enable it, or 'kubectl label namespace default istio-injection=disabled' to explicitly mark it as not needing injection.",
      origin: 'Namespace default',
    },
  ];
  if (atLeast(v, 25)) {
    findings.unshift({ code: 'IST0173', level: 'Error', message: 'The Subset v3 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).', origin: 'DestinationRule bookinfo/reviews' });
  }
  return findings;
}

/** `large:N`: N deterministic findings over 5 namespaces and a handful of real codes */
function largeFindings(n: number): Finding[] {
  const kinds: [string, Level, string, (i: number) => string][] = [
    ['IST0101', 'Error', 'VirtualService', (i) => `Referenced host not found: "svc-${i}"`],
    ['IST0174', 'Warning', 'DestinationRule', (i) => `The host svc-${i} defined in the DestinationRule does not match any services in the mesh.`],
    ['IST0118', 'Info', 'Service', (i) => `Port name http${i} (port: ${8000 + (i % 1000)}, targetPort: 8080) doesn't follow the naming convention of Istio port.`],
    ['IST0128', 'Warning', 'DestinationRule', () => 'DestinationRule default/x in namespace ns has TLS mode set to SIMPLE but no caCertificates are set to validate server identity'],
    ['IST0131', 'Info', 'VirtualService', (i) => `VirtualService rule #${i % 7} match #0 of prefix /api is masked by rule #0 match #0 of prefix /.`],
  ];
  return Array.from({ length: n }, (_, i) => {
    const [code, level, kind, message] = kinds[i % kinds.length] as (typeof kinds)[number];
    return { code, level, message: message(i), origin: `${kind} ns-${i % 5}/obj-${i}` };
  });
}

function namespaceOf(origin: string): string | undefined {
  const m = /^(\S+) (\S+)$/.exec(origin);
  if (!m) return undefined;
  const full = m[2] as string;
  const slash = full.indexOf('/');
  if (slash !== -1) return full.slice(0, slash);
  // a Namespace finding belongs to that namespace
  return m[1] === 'Namespace' ? full : undefined;
}

function docUrl(v: ClientVersion, code: string): string {
  return `https://istio.io/v${v.major}.${v.minor}/docs/reference/config/analysis/${code.toLowerCase()}/?ref=istioctl-analyze`;
}

/** formatting.Print JSON: array, tab indent, keys sorted (Go map marshalling) */
function writeJson(findings: readonly Finding[], v: ClientVersion): string {
  const sorted = findings.map((f) => ({ code: f.code, documentationUrl: docUrl(v, f.code), level: f.level, message: f.message, origin: f.origin }));
  return JSON.stringify(sorted, null, '\t');
}

function writeLog(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.level} [${f.code}] (${f.origin}) ${f.message}`).join('\n');
}

function target(ctx: RunContext, all: boolean): string {
  if (all) return 'all namespaces';
  return `namespace: ${flagValue(ctx.flags, ctx.specs, 'namespace') || 'default'}`;
}

function runAnalyze(ctx: RunContext): Output {
  const v = ctx.version;
  if (ctx.args.length > 0) throw new NotImplemented('analyze of files');
  const output = flagValue(ctx.flags, ctx.specs, 'output') ?? 'log';
  if (!['log', 'json', 'yaml'].includes(output)) throw new CommandError(`${output} not a valid option for format. See istioctl analyze --help`, EXIT.commandParseError);
  const failureThreshold = threshold(ctx, 'failure-threshold');
  const outputThreshold = threshold(ctx, 'output-threshold');
  if (atLeast(v, 25) && flagGiven(ctx.flags, 'recursive')) {
    return { stdout: 'The recursive flag has been removed and is hardcoded to true without explicitly specifying it.\n', stderr: '', exitCode: 0 };
  }
  const all = boolValue(flagValue(ctx.flags, ctx.specs, 'all-namespaces'));
  const namespace = flagValue(ctx.flags, ctx.specs, 'namespace') || 'default';
  // analyze.go checks the namespace first, prints to stderr and returns nil: exit 0, nothing on stdout
  if (!all && namespace.startsWith('missing-')) return { stdout: '', stderr: `namespace ${JSON.stringify(namespace)} not found\n`, exitCode: 0 };
  const delay = Number(ctx.env['FAKE_ISTIOCTL_DELAY_MS'] ?? '0');
  const timeout = durationMs(flagValue(ctx.flags, ctx.specs, 'timeout') ?? '30s');
  if (delay > 0 && delay >= timeout) throw new CommandError(`failed to run analysis: analysis timed out after ${flagValue(ctx.flags, ctx.specs, 'timeout')}`);

  const replay = ctx.env['FAKE_ISTIOCTL_ANALYZE_FILE'];
  if (replay) {
    if (output !== 'json') throw new NotImplemented(`FAKE_ISTIOCTL_ANALYZE_FILE with -o ${output}`);
    return { stdout: `${readFileSync(replay, 'utf8')}\n`, stderr: '', exitCode: 0 };
  }

  // The formatter goldens (test codes B1/C1, origins without namespace): shown for any scope.
  const goldenScenario = ctx.scenario.name === 'single-pilot' || ctx.scenario.name === 'multi-pilot';
  let findings: Finding[];
  switch (ctx.scenario.name) {
    case 'empty-mesh':
      findings = [];
      break;
    case 'large':
      findings = largeFindings(ctx.scenario.size ?? 100);
      break;
    case 'bookinfo':
      findings = bookinfoFindings(v);
      break;
    case 'single-pilot':
    case 'multi-pilot':
      findings = [
        { code: 'B1', level: 'Error', message: 'Explosion accident: the bubble is too big', origin: 'SoapBubble' },
        { code: 'C1', level: 'Warning', message: 'Collapse danger: the castle is too old', origin: 'GrandCastle' },
      ];
      break;
    default:
      findings = docsFindings();
  }
  if (!all && !goldenScenario) findings = findings.filter((f) => namespaceOf(f.origin) === namespace);

  if (output === 'json') {
    // the golden bodies carry v1.28 doc links, exactly as stored; generated bodies link the pretended version
    const body = findings.length === 0 ? golden('empty_json.json') : goldenScenario ? golden('json.json') : writeJson(findings, v);
    return { stdout: `${body}\n`, stderr: '', exitCode: 0 };
  }
  if (output === 'yaml') {
    if (findings.length === 0) return { stdout: `${golden('empty_yaml.yaml')}\n`, stderr: '', exitCode: 0 };
    if (goldenScenario) return { stdout: `${golden('yaml.yaml')}\n`, stderr: '', exitCode: 0 };
    throw new NotImplemented('analyze -o yaml of generated findings');
  }
  const shown = findings.filter((f) => RANK[f.level] <= RANK[outputThreshold]);
  const failing = findings.some((f) => RANK[f.level] <= RANK[failureThreshold]);
  if (shown.length === 0 && !failing) {
    return { stdout: '\n', stderr: `\u2714 No validation issues found when analyzing ${target(ctx, all)}.\n`, exitCode: 0 };
  }
  const stdout = `${goldenScenario ? golden('log.txt').replace(/\n$/, '') : writeLog(shown)}\n`;
  if (!failing) return { stdout, stderr: '', exitCode: 0 };
  return {
    stdout,
    stderr: `Error: Analyzers found issues when analyzing ${target(ctx, all)}.\nSee https://istio.io/v${v.major}.${v.minor}/docs/reference/config/analysis for more information about causes and resolutions.\n`,
    exitCode: EXIT.analyzerFoundIssues,
  };
}

export const analyzeCommand: CommandDef = {
  name: 'analyze',
  flags: analyzeFlags,
  run: runAnalyze,
};
