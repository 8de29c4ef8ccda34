// BG2-7: istioctl ended by a signal — the kernel's out-of-memory killer sends SIGKILL when mesh-bot's container hits
// its memory limit while istioctl reads a large mesh — was told "istioctl at `…` could not be started (unknown
// error). Check that it is an istioctl binary for this machine": it had started and printed part of its answer, and
// the advice sent the on-call to reinstall a working binary. The answer must say it was stopped, by which signal,
// and claim nothing about the proxies.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { cluster, meshBot, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, sidecarNamespaces } from '../breaker-status/support/sidecar.ts';

// `version` answers as 1.24 does (corpus version/json_client-only shape); `proxy-status` prints its header and the
// first row, then dies of SIGKILL as an OOM-killed process does.
const SCRIPT = `#!/bin/sh
case "$1" in
  version) printf '{\\n  "clientVersion": {\\n    "version": "1.24.6",\\n    "revision": "unknown",\\n    "golang_version": "go1.X",\\n    "status": "Clean",\\n    "tag": "1.24.6"\\n  }\\n}\\n'; exit 0 ;;
  proxy-status)
    printf 'NAME     CLUSTER     CDS     LDS     EDS     RDS     ECDS     ISTIOD     VERSION\\n'
    kill -KILL $$ ;;
esac
exit 64
`;

let kube: Cluster;
let istioctl: string;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), istiod('istiod-a', '1.24.6')]);
  istioctl = join(await mkdtemp(join(tmpdir(), 'bg2-killed-')), 'istioctl');
  await writeFile(istioctl, SCRIPT);
  await chmod(istioctl, 0o755);
});
after(() => kube.close());

it('says istioctl was stopped by SIGKILL, not that it could not be started, and calls nothing healthy', async () => {
  const run = await meshBot(['status', '-o', 'json'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl });
  const json = JSON.parse(run.stdout) as { verdict: string; proxies: unknown; errors: string[] };
  assert.equal(json.verdict, 'unknown');
  assert.equal(json.proxies, null);
  assert.equal(run.code, 1);
  const error = json.errors.join('\n');
  assert.doesNotMatch(error, /could not be started|istioctl binary for this machine/);
  assert.match(error, /SIGKILL/);
  assert.match(error, /memory/);
});
