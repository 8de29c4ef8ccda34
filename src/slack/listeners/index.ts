import type { App } from '@slack/bolt';
import type { ListenerContext } from '../context.ts';
import { registerShowFindings } from './actions/show-findings.ts';
import { registerCanaryDecisions } from './actions/canary-decision.ts';
import { registerCanaryRollback } from './actions/canary-rollback.ts';
import { registerShowProblems } from './actions/show-problems.ts';
import { registerUploadProxyConfig } from './actions/upload-proxy-config.ts';
import { registerUploadZtunnelConfig } from './actions/upload-ztunnel-config.ts';
import { registerMeshCommand } from './commands/mesh.ts';
import { registerUnhandled } from './unhandled.ts';

export function registerListeners(app: App, ctx: ListenerContext): void {
  registerMeshCommand(app, ctx);
  registerShowProblems(app, ctx);
  registerCanaryDecisions(app, ctx);
  registerCanaryRollback(app, ctx);
  registerShowFindings(app, ctx);
  registerUploadProxyConfig(app, ctx);
  registerUploadZtunnelConfig(app, ctx);
  // Last: it acks only what none of the above handles.
  registerUnhandled(app, ctx);
}
