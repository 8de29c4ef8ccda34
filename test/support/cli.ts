import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli.ts';
import { fakeIstioctl, type FakeIstioctlSettings } from './bot.ts';

/** Runs the terminal mode in process against the simulated istioctl; returns what a shell would see. */
export async function cli(argv: string[], istioctl: FakeIstioctlSettings, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const fake = await fakeIstioctl(istioctl);
  const out = new PassThrough();
  const errOut = new PassThrough();
  const chunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  errOut.on('data', (chunk: Buffer) => errChunks.push(chunk));
  // What a shell would pass on: the kubeconfig the test file points KUBECONFIG at, then the test's own settings.
  const inherited = process.env['KUBECONFIG'] ? { KUBECONFIG: process.env['KUBECONFIG'] } : {};
  const code = await runCli(argv, { ISTIOCTL: fake.path, ...inherited, ...env }, out, errOut);
  return { code, stdout: Buffer.concat(chunks).toString('utf8'), stderr: Buffer.concat(errChunks).toString('utf8') };
}
