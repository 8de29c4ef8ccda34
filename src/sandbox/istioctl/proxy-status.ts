// `istioctl proxy-status` / `ps`, and `istioctl x ps` (1.20-1.24), per version family.

import { readFileSync } from 'node:fs';
import { CommandError, NotImplemented, ok } from './command.ts';
import type { CommandDef, Output, RunContext } from './command.ts';
import { flagGiven, flagValue } from './flags.ts';
import type { FlagSpec } from './flags.ts';
import { atLeast } from './version.ts';
import type { ClientVersion } from './version.ts';
import type { Mesh } from './mesh.ts';
import { meshFor, portForwardError, xdsUnavailable } from './scenarios.ts';
import type { Failure } from './scenarios.ts';
import {
  EMPTY_RESPONSE_JSON,
  EMPTY_RESPONSE_YAML,
  writeJson,
  writeSubscribed,
  writeSyncz,
  writeVerbose,
  writeXdsFixed,
  writeYaml,
} from './writers.ts';

function xdsClientFlags(): FlagSpec[] {
  // central-istiod / XDS connection flags (istioctl/pkg/clioptions/central.go)
  return [
    { name: 'xds-address', kind: 'string', default: '' },
    { name: 'cert-dir', kind: 'string', default: '' },
    { name: 'insecure', kind: 'bool', default: 'false' },
    { name: 'xds-label', kind: 'string', default: '' },
    { name: 'xds-port', kind: 'int', default: '15012' },
    { name: 'timeout', kind: 'duration', default: '30s' },
    { name: 'authority', kind: 'string', default: '' },
    { name: 'plaintext', kind: 'bool', default: 'false' },
  ];
}

function agentFlags(): FlagSpec[] {
  return [
    { name: 'xds-via-agents', kind: 'bool', default: 'false' },
    { name: 'xds-via-agents-limit', kind: 'int', default: '100' },
  ];
}

export function proxyStatusFlags(v: ClientVersion, experimental: boolean): FlagSpec[] {
  const flags: FlagSpec[] = [{ name: 'revision', shorthand: 'r', kind: 'string', default: '' }];
  if (atLeast(v, 27)) {
    // 1.27: --file lost its -f shorthand; -o/--output and -v/--verbosity were added
    flags.push({ name: 'file', kind: 'string', default: '' });
    flags.push({ name: 'output', shorthand: 'o', kind: 'string', default: v.family === '1.30+' ? 'table' : '' });
    flags.push({ name: 'verbosity', shorthand: 'v', kind: 'int', default: '0' });
  } else {
    flags.push({ name: 'file', shorthand: 'f', kind: 'string', default: '' });
  }
  if (experimental || atLeast(v, 22)) flags.push(...xdsClientFlags());
  if (experimental || (atLeast(v, 22) && !atLeast(v, 25))) flags.push(...agentFlags());
  return flags;
}

type Writer = 'syncz' | 'xds-enum' | 'xds' | 'subscribed' | 'verbose' | 'json' | 'yaml';

function pickWriter(ctx: RunContext, experimental: boolean): Writer {
  const v = ctx.version;
  switch (v.family) {
    case '1.20-1.21':
      return experimental ? 'xds-enum' : 'syncz';
    case '1.22-1.26':
      return 'xds';
    case '1.27-1.29':
      // -o is accepted and ignored
      return Number(flagValue(ctx.flags, ctx.specs, 'verbosity')) >= 1 ? 'verbose' : 'subscribed';
    case '1.30+': {
      const o = flagValue(ctx.flags, ctx.specs, 'output') ?? 'table';
      if (o === 'json') return 'json';
      if (o === 'yaml') return 'yaml';
      if (o !== 'table' && o !== '') throw new CommandError(`output format ${JSON.stringify(o)} not supported`);
      return Number(flagValue(ctx.flags, ctx.specs, 'verbosity')) >= 1 ? 'verbose' : 'subscribed';
    }
  }
}

function filterNamespace(mesh: Mesh, ns: string | undefined): Mesh {
  if (ns === undefined || ns === '') return mesh;
  return { ...mesh, proxies: mesh.proxies.filter((p) => p.namespace === ns || p.id.endsWith(`.${ns}`)) };
}

function render(writer: Writer, mesh: Mesh, v: ClientVersion): string {
  switch (writer) {
    case 'syncz':
      return writeSyncz(mesh);
    case 'xds-enum':
      return writeXdsFixed(mesh, { enumNames: true, unsubscribedIgnored: false });
    case 'xds':
      return writeXdsFixed(mesh, { enumNames: false, unsubscribedIgnored: atLeast(v, 23) });
    case 'subscribed':
      return writeSubscribed(mesh);
    case 'verbose':
      return writeVerbose(mesh);
    case 'json':
      return writeJson(mesh);
    case 'yaml':
      return writeYaml(mesh);
  }
}

function fail(f: Failure): never {
  throw new CommandError(f.message, 1, f.preamble);
}

function runProxyStatus(ctx: RunContext, experimental: boolean): Output {
  const v = ctx.version;
  if (ctx.args.length > 0) {
    throw new NotImplemented(`proxy-status <pod> (config diff against istiod) for ${JSON.stringify(ctx.args[0])}`);
  }
  if (flagGiven(ctx.flags, 'file')) throw new CommandError('--file can only be used when pod-name is specified');
  if (!experimental && atLeast(v, 22) && !atLeast(v, 25)) {
    for (const f of ['xds-via-agents', 'xds-via-agents-limit']) {
      if (flagGiven(ctx.flags, f)) throw new CommandError(`--${f} is experimental. Use \`istioctl experimental ps --${f}\``);
    }
  }
  const writer = pickWriter(ctx, experimental);

  const replay = ctx.env['FAKE_ISTIOCTL_PROXY_STATUS_FILE'];
  if (replay) return ok(readFileSync(replay));

  const istioNs = flagValue(ctx.flags, ctx.specs, 'istioNamespace') ?? 'istio-system';
  const syncz = writer === 'syncz';
  switch (ctx.scenario.name) {
    case 'no-istiod':
      throw new CommandError(syncz ? 'unable to find any Istiod instances' : `no running Istio pods in ${JSON.stringify(istioNs)}`);
    case 'xds-unavailable':
      // the 1.20-1.21 default ps reads /debug/syncz over a port-forward, no XDS: it fails like port-forward-error
      fail(syncz ? portForwardError(15014) : xdsUnavailable());
      break;
    case 'port-forward-error':
      fail(portForwardError(syncz ? 15014 : 15012));
      break;
    default:
      break;
  }
  const mesh = meshFor(ctx.scenario, syncz ? 'syncz' : 'xds', v.raw);
  if (!mesh) throw new NotImplemented(`scenario ${ctx.scenario.name} for proxy-status`);
  if (mesh.proxies.length === 0) {
    if (v.minor === 27 && v.patch === 0) {
      throw new CommandError(`failed to setup status print: no proxies found (checked ${mesh.istiods.length} istiods)`);
    }
    if (writer === 'json') return ok(EMPTY_RESPONSE_JSON);
    if (writer === 'yaml') return ok(EMPTY_RESPONSE_YAML);
  }
  const filtered = filterNamespace(mesh, flagValue(ctx.flags, ctx.specs, 'namespace'));
  return ok(render(writer, filtered, v));
}

export const proxyStatusCommand: CommandDef = {
  name: 'proxy-status',
  aliases: ['ps'],
  flags: (v) => proxyStatusFlags(v, false),
  run: (ctx) => runProxyStatus(ctx, false),
};

/** `istioctl x ps`: 1.20-1.21 the xDS writer with enum names; 1.22-1.24 the same output as `ps`. */
export const experimentalProxyStatusCommand: CommandDef = {
  name: 'proxy-status',
  aliases: ['ps'],
  available: (v) => !atLeast(v, 25),
  flags: (v) => proxyStatusFlags(v, true),
  run: (ctx) => runProxyStatus(ctx, true),
};
