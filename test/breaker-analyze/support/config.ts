import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { meshBot, type Run } from '../../breaker-ambient/support/harness.ts';

/** `mesh-bot help` with a config file holding one digest on `schedule`: the config is validated at start. */
export async function withSchedule(schedule: string): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'breaker-schedule-'));
  const config = join(dir, 'config.yaml');
  await writeFile(config, `digests:\n  - channel: C0123OPS\n    schedule: "${schedule}"\n    timezone: Europe/Berlin\n`);
  // `help` reads nothing from a cluster, but the config file is still validated at start.
  return meshBot(['help'], { KUBECONFIG: join(dir, 'no-kubeconfig'), ISTIOCTL: '/bin/false', MESH_BOT_CONFIG: config });
}
