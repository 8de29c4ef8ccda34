import type { CommandDeps } from '../../command.ts';
import type { ClusterConfig } from '../../config.ts';
import { createGatewayApiObjects } from '../../kube/gateway-api.ts';
import { createIstioObjects } from '../../kube/istio-objects.ts';
import { err, ok, type Result } from '../../result.ts';
import { createCanaryService, type CanaryService } from './service.ts';

/** The canary service for one cluster, from the shared command dependencies. */
export function canaryServiceFor(deps: CommandDeps, cluster: ClusterConfig): Result<CanaryService, string> {
  const kube = deps.kubeFor(cluster);
  if (!kube.ok) return err(kube.error.message);
  const store = deps.state();
  if (!store.ok) return err(`mesh-bot cannot keep promotion state: ${store.error.message}`);
  return ok(
    createCanaryService({
      cluster,
      istio: createIstioObjects(kube.value),
      gateway: createGatewayApiObjects(kube.value),
      core: kube.value.core,
      store: store.value,
      istioctl: deps.istioctl,
      logger: deps.logger,
      now: deps.now,
      sleep: deps.sleep,
      ttlMs: deps.config.approvals.ttl,
      propagation: { timeoutMs: deps.config.approvals.propagationTimeout, intervalMs: deps.config.approvals.propagationInterval },
      cards: deps.cards,
    }),
  );
}
