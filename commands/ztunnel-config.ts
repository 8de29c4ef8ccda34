import { defineCommand, type CommandResult } from '../src/command.ts';
import { CLUSTER_FLAG, clip, NAMESPACE_FLAG, parseArgs, type FlagSpec } from '../src/grammar.ts';
import { ZTUNNEL_CONFIG_TYPES, type ZtunnelConfigType } from '../src/istioctl/ztunnel-config.ts';
import { readZtunnelConfig, type ZtunnelConfigResult, type ZtunnelTarget } from '../src/mesh/ztunnel-config.ts';
import { err, ok, type Result } from '../src/result.ts';
import { parsePodTarget } from './proxy-config.ts';
import { renderZtunnelConfigJson, renderZtunnelConfigSlack, renderZtunnelConfigText } from './ztunnel-config.render.ts';

export const NODE_FLAG: FlagSpec = { name: 'node', takesValue: true, value: 'name' };

/** Singular forms and istioctl's own aliases (ztunnelconfig.go) of each TYPE. */
const TYPE_ALIASES: Readonly<Record<string, ZtunnelConfigType>> = {
  workload: 'workloads',
  w: 'workloads',
  service: 'services',
  svc: 'services',
  certificate: 'certificates',
  certs: 'certificates',
  cert: 'certificates',
  policy: 'policies',
  pol: 'policies',
  connection: 'connections',
  cons: 'connections',
};

export interface ZtunnelConfigArgs extends ZtunnelTarget {
  readonly type: ZtunnelConfigType;
  readonly cluster: string | undefined;
}

export function parseZtunnelConfigType(text: string | undefined): Result<ZtunnelConfigType, string> {
  if (text === undefined) return err(`missing TYPE (one of ${ZTUNNEL_CONFIG_TYPES.join(', ')})`);
  const lower = text.toLowerCase();
  const type = (ZTUNNEL_CONFIG_TYPES as readonly string[]).includes(lower) ? (lower as ZtunnelConfigType) : TYPE_ALIASES[lower];
  return type ? ok(type) : err(`unknown TYPE "${clip(text)}" (one of ${ZTUNNEL_CONFIG_TYPES.join(', ')})`);
}

export function ztunnelConfigResult(result: ZtunnelConfigResult): CommandResult {
  return {
    envelope: { command: 'ztunnel-config', cluster: result.cluster, asOf: result.asOf, errors: result.errors },
    failed: result.report === null,
    toJson: () => renderZtunnelConfigJson(result),
    toText: () => renderZtunnelConfigText(result),
    toSlack: () => renderZtunnelConfigSlack(result),
  };
}

export const ztunnelConfigCommand = defineCommand<ZtunnelConfigArgs>({
  name: 'ztunnel-config',
  aliases: ['zc'],
  usage: 'ztunnel-config TYPE [POD[.NAMESPACE] | --node NODE] [-n NAMESPACE] [--cluster NAME]',
  summary: `ambient mode: what a ztunnel knows; TYPE: ${ZTUNNEL_CONFIG_TYPES.join('|')} (a workload pod reads its node's ztunnel)`,
  role: 'reader',
  parse(tokens) {
    const parsed = parseArgs(tokens, [NAMESPACE_FLAG, CLUSTER_FLAG, NODE_FLAG]);
    if (!parsed.ok) return parsed;
    const [typeText, podText, extra] = parsed.value.positionals;
    const type = parseZtunnelConfigType(typeText);
    if (!type.ok) return type;
    if (extra !== undefined) return err(`unexpected argument "${clip(extra)}"`);
    const namespace = parsed.value.flags.get('namespace');
    const node = parsed.value.flags.get('node');
    const cluster = parsed.value.flags.get('cluster');
    if (podText !== undefined && typeof node === 'string') return err('give a POD or --node NODE, not both');
    let pod: ZtunnelTarget['pod'];
    if (podText !== undefined) {
      const target = parsePodTarget(podText, typeof namespace === 'string' ? namespace : undefined);
      if (!target.ok) return target;
      pod = { name: target.value.pod, namespace: target.value.namespace };
    } else if (typeof namespace === 'string') {
      return err('-n names the namespace of a POD; give the POD too (or --node NODE)');
    }
    return ok({
      type: type.value,
      ...(pod ? { pod } : {}),
      ...(typeof node === 'string' ? { node } : {}),
      cluster: typeof cluster === 'string' ? cluster : undefined,
    });
  },
  async execute(args, target, deps) {
    return ztunnelConfigResult(await readZtunnelConfig(target, args, deps));
  },
});
