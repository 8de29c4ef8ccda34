// The istioctl command table. To add a command (e.g. `analyze`, `proxy-config`), write a CommandDef in its own
// module and replace its placeholder below; flags are per version via CommandDef.flags(version).

import { analyzeCommand } from './analyze.ts';
import type { CommandDef } from './command.ts';
import { proxyConfigCommand } from './proxy-config.ts';
import { experimentalProxyStatusCommand, proxyStatusCommand } from './proxy-status.ts';
import { versionCommand } from './version-cmd.ts';
import { experimentalWaypointCommand, waypointCommand } from './waypoint.ts';
import { experimentalZtunnelConfigCommand, ztunnelConfigCommand } from './ztunnel-config.ts';

/** A real istioctl command the fake does not model yet: exits 2 with `fake-istioctl: not implemented: <name>`. */
function placeholder(name: string, aliases: string[] = []): CommandDef {
  return { name, aliases, unmodelled: true };
}

export const rootCommand: CommandDef = {
  name: 'istioctl',
  subcommands: [
    placeholder('admin'),
    analyzeCommand,
    placeholder('bug-report'),
    placeholder('completion'),
    placeholder('create-remote-secret'),
    placeholder('dashboard', ['dash', 'd']),
    {
      name: 'experimental',
      aliases: ['x', 'exp'],
      subcommands: [experimentalProxyStatusCommand, placeholder('precheck'), placeholder('describe', ['des']), experimentalWaypointCommand, experimentalZtunnelConfigCommand],
    },
    placeholder('install', ['apply']),
    placeholder('kube-inject'),
    placeholder('manifest'),
    proxyConfigCommand,
    proxyStatusCommand,
    placeholder('tag'),
    placeholder('uninstall'),
    placeholder('upgrade'),
    placeholder('validate', ['v']),
    versionCommand,
    waypointCommand,
    ztunnelConfigCommand,
  ],
};
