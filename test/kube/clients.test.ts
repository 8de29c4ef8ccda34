import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeFor } from '../../src/kube/clients.ts';
import { createLeaderElector } from '../../src/kube/leader.ts';
import { quietLogger } from '../support/quiet.ts';

const CLUSTER = { name: 'hung', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };

/** An API server that accepts every request and never answers: an overloaded apiserver or a half-open connection. */
describe('Kubernetes API clients against an API server that never answers', () => {
  let server: Server;
  const seen: IncomingMessage[] = [];
  let kubeConfig: () => KubeConfig;
  before(async () => {
    server = createServer((request) => void seen.push(request));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    kubeConfig = () => {
      const config = new KubeConfig();
      config.loadFromOptions({ clusters: [{ name: 'hung', server: url, skipTLSVerify: true }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'hung', cluster: 'hung', user: 'u' }], currentContext: 'hung' });
      return config;
    };
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up on a request at its deadline instead of waiting forever, and names itself', { timeout: 10_000 }, async () => {
    const kube = createKubeFor(kubeConfig, { requestMs: 300, leaseMs: 100 })(CLUSTER);
    assert.ok(kube.ok);
    await assert.rejects(kube.value.core.readNamespacedConfigMap({ name: 'x', namespace: 'mesh-bot' }), /timeout|aborted/i);
    await assert.rejects(kube.value.coordination.readNamespacedLease({ name: 'x', namespace: 'mesh-bot' }), /timeout|aborted/i);
    assert.equal(seen[0]?.headers['user-agent'], 'mesh-bot');
  });

  it('lets a leader stop (and try to release its lease) within the request deadlines when the API hangs', { timeout: 10_000 }, async () => {
    const kube = createKubeFor(kubeConfig, { requestMs: 300, leaseMs: 100 })(CLUSTER);
    assert.ok(kube.ok);
    const elector = createLeaderElector({ coordination: kube.value.coordination, namespace: 'mesh-bot', leaseName: 'hung', identity: 'pod-a', logger: quietLogger() });
    const running = elector.run();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await elector.stop();
    await running;
    assert.equal(elector.isLeader(), false);
  });
});
