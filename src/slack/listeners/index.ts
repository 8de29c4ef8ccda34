import type { App } from '@slack/bolt';
import type { ListenerContext } from '../context.ts';
import { registerShowProblems } from './actions/show-problems.ts';
import { registerMeshCommand } from './commands/mesh.ts';

export function registerListeners(app: App, ctx: ListenerContext): void {
  registerMeshCommand(app, ctx);
  registerShowProblems(app, ctx);
}
