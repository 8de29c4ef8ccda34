// BG2-4: `mesh-bot digest -o json` when istioctl cannot list the proxies (istiod not answering the xDS status
// request: ERROR_STRINGS.md `Error: could not get XDS from discovery pod "%s": …`) exited 0, so a script that trusts
// the exit code (as kubectl scripts do) took the morning digest for a full read. README Terminal mode: exit 1 "when too
// little was read for a verdict (e.g. `status` without istioctl's proxy list)" — the digest's proxy sync, version skew
// and certificate sample all stand on that list.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meshBot } from '../breaker-ambient/support/harness.ts';
import { terminalWorld } from '../breaker-analyze/support/sidecar.ts';
import { putIstiod } from '../mesh/digest/harness.ts';

const UNREACHABLE = 'Error: could not get XDS from discovery pod "istiod-7d4f74889d-mb5dh": rpc error: code = Unavailable desc = connection error\n';

describe('terminal digest without the proxy list', () => {
  const world = terminalWorld('1.24.6', [
    { when: ['proxy-status'], stderr: UNREACHABLE, exit: 1 },
    { when: ['analyze'], stdout: '[]\n' },
  ]);

  it('prints the digest it could read, says what is missing, and exits 1', async () => {
    const run = await meshBot(['digest', '-o', 'json'], world().env);
    const json = JSON.parse(run.stdout) as { verdict: { level: string; unavailable: string[] }; errors: string[] };
    assert.notEqual(json.verdict.level, 'healthy');
    assert.ok(json.verdict.unavailable.includes('proxy sync'), json.verdict.unavailable.join(', '));
    assert.equal(run.code, 1);
  });

  it('text: the same exit code, the digest on stdout', async () => {
    const run = await meshBot(['digest'], world().env);
    assert.match(run.stdout, /Proxies/);
    assert.equal(run.code, 1);
  });
});

// As `status` answers "control plane down" (exit 0) when the Kubernetes API shows no istiod ready: that is a verdict,
// and the reason istioctl lists no proxy, not a read too short for one.
describe('terminal digest when no istiod is ready', () => {
  const world = terminalWorld('1.24.6', [
    { when: ['proxy-status'], stderr: 'Error: no running Istio pods in "istio-system"\n', exit: 1 },
    { when: ['analyze'], stdout: '[]\n' },
  ]);

  it('is critical, names the control plane, and exits 0 as status does', async () => {
    putIstiod(world().kube.api, { restarts: 4, ready: false, version: '1.24.2' });
    const run = await meshBot(['digest', '-o', 'json'], world().env);
    const json = JSON.parse(run.stdout) as { verdict: { level: string; reasons: string[] } };
    assert.equal(json.verdict.level, 'critical');
    assert.match(json.verdict.reasons.join(', '), /istiod/);
    assert.equal(run.code, 0);
  });
});
