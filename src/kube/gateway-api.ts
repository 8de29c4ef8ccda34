import { err, ok, type Result } from '../result.ts';
import type { ClusterKube } from './clients.ts';
import { jsonPatchCustom, versionProber, type JsonPatchOp, type KubeCallError, type KubeObject } from './istio-objects.ts';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
/** Gateway API ≥ 1.0 serves HTTPRoute v1; older CRD bundles (Istio 1.20-1.23 samples) only v1beta1. */
const HTTP_ROUTE_VERSIONS = ['v1', 'v1beta1'] as const;

/** Reads and patches Gateway API HTTPRoutes, finding the API version the cluster serves. */
export interface GatewayApiObjects {
  getHttpRoute(namespace: string, name: string): Promise<Result<{ object: KubeObject; version: string }, KubeCallError>>;
  /** JSON Patch (RFC 6902): `test` ops make it a compare-and-swap on exactly the fields read. */
  patchHttpRoute(namespace: string, name: string, version: string, ops: readonly JsonPatchOp[], options: { dryRun: boolean }): Promise<Result<KubeObject, KubeCallError>>;
  /** A Gateway (an HTTPRoute's parent): whether it is an ambient waypoint (class istio-waypoint) or an ingress. */
  getGateway(namespace: string, name: string): Promise<Result<KubeObject, KubeCallError>>;
}

export function createGatewayApiObjects(kube: ClusterKube): GatewayApiObjects {
  const withVersion = versionProber(HTTP_ROUTE_VERSIONS, kube.cluster.name);
  // Gateway and HTTPRoute are served at the same versions, but each kind learns its own.
  const withGatewayVersion = versionProber(HTTP_ROUTE_VERSIONS, kube.cluster.name);
  return {
    async getHttpRoute(namespace, name) {
      const result = await withVersion(
        (version) => kube.custom.getNamespacedCustomObject({ group: GATEWAY_API_GROUP, version, namespace, plural: 'httproutes', name }) as Promise<KubeObject>,
        `read HTTPRoute ${namespace}/${name}`,
      );
      return result.ok ? ok({ object: result.value.value, version: result.value.version }) : err(result.error);
    },
    patchHttpRoute(namespace, name, version, ops, options) {
      return jsonPatchCustom(kube, { group: GATEWAY_API_GROUP, version, namespace, plural: 'httproutes', name }, ops, options, `patch HTTPRoute ${namespace}/${name}`);
    },
    async getGateway(namespace, name) {
      const result = await withGatewayVersion(
        (version) => kube.custom.getNamespacedCustomObject({ group: GATEWAY_API_GROUP, version, namespace, plural: 'gateways', name }) as Promise<KubeObject>,
        `read Gateway ${namespace}/${name}`,
      );
      return result.ok ? ok(result.value.value) : err(result.error);
    },
  };
}
