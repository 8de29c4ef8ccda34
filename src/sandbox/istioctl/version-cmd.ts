// `istioctl version`.

import { CommandError, NotImplemented, ok } from './command.ts';
import type { CommandDef, Output, RunContext } from './command.ts';
import { boolValue, flagValue } from './flags.ts';
import { atLeast } from './version.ts';
import type { ClientVersion } from './version.ts';
import { meshFor } from './scenarios.ts';

/**
 * The client-only BuildInfo. Shape and the non-version values come from the corpus
 * (version/json_client-only_SHAPE_from-test-regex.json); version and tag are the pretended version.
 */
function clientInfo(v: ClientVersion): Array<[string, string]> {
  return [
    ['version', v.raw],
    ['revision', 'unknown'],
    ['golang_version', 'go1.X'],
    ['status', 'unknown'],
    ['tag', v.raw],
  ];
}

export function clientVersionJson(v: ClientVersion): string {
  const body = clientInfo(v)
    .map(([k, x]) => `    ${JSON.stringify(k)}: ${JSON.stringify(x)}`)
    .join(',\n');
  return `{\n  "clientVersion": {\n${body}\n  }\n}\n`;
}

function yamlString(s: string): string {
  // go-yaml quotes strings that would read back as numbers (e.g. "1.28")
  return /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s) ? JSON.stringify(s) : s;
}

export function clientVersionYaml(v: ClientVersion): string {
  const body = [...clientInfo(v)]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, x]) => `  ${k}: ${yamlString(x)}`)
    .join('\n');
  return `clientVersion:\n${body}\n\n`;
}

/** 1.20-1.22 print the bare version; 1.23+ `client version: <v>` (corpus version/*short_no-control-plane*). */
function clientLine(v: ClientVersion, remotePresent: boolean): string {
  return atLeast(v, 23) || remotePresent ? `client version: ${v.raw}\n` : `${v.raw}\n`;
}

function runVersion(ctx: RunContext): Output {
  const v = ctx.version;
  const output = flagValue(ctx.flags, ctx.specs, 'output') ?? '';
  if (output !== '' && output !== 'yaml' && output !== 'json') throw new CommandError("--output must be 'yaml' or 'json'");
  const remote = boolValue(flagValue(ctx.flags, ctx.specs, 'remote'));
  if (!remote) {
    if (output === 'json') return ok(clientVersionJson(v));
    if (output === 'yaml') return ok(clientVersionYaml(v));
    return ok(clientLine(v, false));
  }
  if (output !== '') throw new NotImplemented('version -o json|yaml with the remote (control plane) part; use --remote=false');
  const istioNs = flagValue(ctx.flags, ctx.specs, 'istioNamespace') ?? 'istio-system';
  if (ctx.scenario.name === 'no-istiod') {
    // the error goes to stderr and the exit code stays 0
    if (atLeast(v, 23)) {
      return ok(clientLine(v, false), `Istio is not present in the cluster: no running Istio pods in namespace ${JSON.stringify(istioNs)}\n`);
    }
    return ok(clientLine(v, false), `no ready Istio pods in ${JSON.stringify(istioNs)}\n`);
  }
  const mesh = meshFor(ctx.scenario, 'xds', v.raw) ?? { istiods: [{ id: 'istiod', version: v.raw }], proxies: [] };
  const versions = [...new Set(mesh.istiods.map((i) => i.version))];
  let cp: string;
  if (versions.length === 1) cp = `control plane version: ${versions[0]}\n`;
  else cp = mesh.istiods.map((i) => `Pilot version: ${i.version}\n`).join(''); // istiod pods carry label istio=pilot
  return ok(clientLine(v, true) + cp);
}

export const versionCommand: CommandDef = {
  name: 'version',
  flags: () => [
    { name: 'output', shorthand: 'o', kind: 'string', default: '' },
    { name: 'short', shorthand: 's', kind: 'bool', default: 'false' },
    { name: 'remote', kind: 'bool', default: 'true' },
    { name: 'revision', shorthand: 'r', kind: 'string', default: '' },
  ],
  run: runVersion,
};
