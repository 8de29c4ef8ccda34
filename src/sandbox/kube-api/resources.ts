/** The resource types the fake API server knows, and how request paths map onto them. */

/** One served resource type, like an entry of a real apiserver's discovery documents. */
export interface ResourceType {
  /** API group; '' for the core group. */
  readonly group: string;
  /** Served versions in Kubernetes priority order (first = preferred). Objects are stored once for all of them. */
  readonly versions: readonly string[];
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /**
   * Custom resources behave like CRDs: PUT needs metadata.resourceVersion, strategic merge patch is refused,
   * list items keep apiVersion/kind, metadata.generation is maintained and deletion answers with a Status.
   */
  readonly custom: boolean;
  /** With a status subresource, writes to the main resource keep the stored status and `/status` writes only it. */
  readonly statusSubresource: boolean;
  readonly shortNames: readonly string[];
  /** Field selectors accepted besides metadata.name and metadata.namespace (dotted paths). */
  readonly selectableFields: readonly string[];
  /** Fields typed MicroTime (dotted paths): the real apiserver only decodes RFC 3339 with exactly six fraction digits. */
  readonly microTimeFields: readonly string[];
}

export const ISTIO_GROUP = 'networking.istio.io';
/** Versions Istio ≥ 1.22 serves for its networking CRDs; older meshes serve only v1beta1 and v1alpha3. */
export const ISTIO_VERSIONS: readonly string[] = ['v1', 'v1beta1', 'v1alpha3'];

export interface ResourceSetOptions {
  readonly istioVersions: readonly string[];
  readonly argoRollouts: boolean;
  readonly flagger: boolean;
  /** Serve gateway.networking.k8s.io httproutes (v1 and v1beta1, as the standard channel CRDs do). */
  readonly gatewayApi: boolean;
}

function resource(
  fields: Pick<ResourceType, 'group' | 'versions' | 'plural' | 'kind'> & Partial<ResourceType>,
): ResourceType {
  return {
    singular: fields.kind.toLowerCase(),
    namespaced: true,
    custom: false,
    statusSubresource: false,
    shortNames: [],
    selectableFields: [],
    microTimeFields: [],
    ...fields,
  };
}

export function buildResourceTypes(options: ResourceSetOptions): ResourceType[] {
  const core = ['v1'];
  const types: ResourceType[] = [
    resource({ group: '', versions: core, plural: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], selectableFields: ['status.phase'] }),
    resource({
      group: '', versions: core, plural: 'pods', kind: 'Pod', statusSubresource: true, shortNames: ['po'],
      selectableFields: ['status.phase', 'spec.nodeName', 'spec.serviceAccountName', 'spec.restartPolicy', 'status.podIP'],
    }),
    resource({ group: '', versions: core, plural: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
    resource({
      group: '', versions: core, plural: 'events', kind: 'Event', shortNames: ['ev'],
      selectableFields: ['involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type', 'source'],
      microTimeFields: ['eventTime'],
    }),
    resource({ group: '', versions: core, plural: 'services', kind: 'Service', statusSubresource: true, shortNames: ['svc'] }),
    resource({ group: '', versions: core, plural: 'secrets', kind: 'Secret', selectableFields: ['type'] }),
    resource({ group: '', versions: core, plural: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'] }),
    resource({ group: 'apps', versions: ['v1'], plural: 'daemonsets', kind: 'DaemonSet', statusSubresource: true, shortNames: ['ds'] }),
    resource({ group: 'coordination.k8s.io', versions: ['v1'], plural: 'leases', kind: 'Lease', microTimeFields: ['spec.acquireTime', 'spec.renewTime'] }),
    resource({
      group: 'events.k8s.io', versions: ['v1'], plural: 'events', kind: 'Event', shortNames: ['ev'],
      selectableFields: ['regarding.kind', 'regarding.name', 'regarding.namespace', 'reason', 'type'],
      microTimeFields: ['eventTime', 'series.lastObservedTime'],
    }),
  ];
  if (options.istioVersions.length > 0) {
    const versions = sortByVersionPriority(options.istioVersions);
    const istio = { group: ISTIO_GROUP, versions, custom: true, statusSubresource: true };
    types.push(
      resource({ ...istio, plural: 'virtualservices', kind: 'VirtualService', shortNames: ['vs'] }),
      resource({ ...istio, plural: 'destinationrules', kind: 'DestinationRule', shortNames: ['dr'] }),
      resource({ ...istio, plural: 'gateways', kind: 'Gateway', shortNames: ['gw'] }),
      resource({ ...istio, plural: 'serviceentries', kind: 'ServiceEntry', shortNames: ['se'] }),
    );
  }
  if (options.gatewayApi) {
    types.push(resource({ group: 'gateway.networking.k8s.io', versions: ['v1', 'v1beta1'], plural: 'httproutes', kind: 'HTTPRoute', custom: true, statusSubresource: true }));
    // Gateways too: the sandbox's waypoint is a Gateway of class istio-waypoint.
    types.push(resource({ group: 'gateway.networking.k8s.io', versions: ['v1', 'v1beta1'], plural: 'gateways', kind: 'Gateway', custom: true, statusSubresource: true }));
  }
  if (options.argoRollouts) {
    types.push(resource({ group: 'argoproj.io', versions: ['v1alpha1'], plural: 'rollouts', kind: 'Rollout', custom: true, statusSubresource: true, shortNames: ['ro'] }));
  }
  if (options.flagger) {
    types.push(resource({ group: 'flagger.app', versions: ['v1beta1'], plural: 'canaries', kind: 'Canary', singular: 'canary', custom: true, statusSubresource: true, shortNames: ['canary'] }));
  }
  return types;
}

/** `plural` for the core group, `plural.group` otherwise — how the apiserver names a resource in messages. */
export function qualifiedResource(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

/** `Kind` for the core group, `Kind.group` otherwise — how the apiserver names a kind in Invalid messages. */
export function qualifiedKind(type: ResourceType): string {
  return type.group === '' ? type.kind : `${type.kind}.${type.group}`;
}

export function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

const VERSION_PATTERN = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/** Kubernetes version priority: GA before beta before alpha, higher numbers first (v1 > v1beta2 > v1beta1 > v1alpha3). */
export function sortByVersionPriority(versions: readonly string[]): string[] {
  const rank = (version: string): [number, number, number] => {
    const match = VERSION_PATTERN.exec(version);
    if (!match) return [0, 0, 0];
    const level = match[2] === undefined ? 3 : match[2] === 'beta' ? 2 : 1;
    return [level, Number(match[1]), Number(match[3] ?? 0)];
  };
  return [...new Set(versions)].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < 3; i += 1) {
      const diff = (rb[i] ?? 0) - (ra[i] ?? 0);
      if (diff !== 0) return diff;
    }
    return a.localeCompare(b);
  });
}

/** What a request path addresses. */
export type Route =
  | { readonly type: 'version' }
  | { readonly type: 'coreVersions' }
  | { readonly type: 'groupList' }
  | { readonly type: 'group'; readonly group: string }
  | { readonly type: 'resourceList'; readonly group: string; readonly version: string }
  | {
      readonly type: 'resource';
      readonly resource: ResourceType;
      readonly version: string;
      /** Undefined for cluster-scoped types and for lists across all namespaces. */
      readonly namespace: string | undefined;
      readonly name: string | undefined;
      readonly subresource: 'status' | undefined;
    }
  | { readonly type: 'unknown' };

export function parseRoute(path: string, types: readonly ResourceType[]): Route {
  let segments: string[];
  try {
    segments = path.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
  } catch {
    return { type: 'unknown' };
  }
  const [root, ...rest] = segments;
  if (root === 'version' && rest.length === 0) return { type: 'version' };
  if (root === 'api') {
    if (rest.length === 0) return { type: 'coreVersions' };
    const [version, ...tail] = rest;
    if (version !== 'v1') return { type: 'unknown' };
    if (tail.length === 0) return { type: 'resourceList', group: '', version };
    return parseResourcePath('', version, tail, types);
  }
  if (root === 'apis') {
    const [group, version, ...tail] = rest;
    if (group === undefined) return { type: 'groupList' };
    if (!types.some((type) => type.group === group)) return { type: 'unknown' };
    if (version === undefined) return { type: 'group', group };
    if (!types.some((type) => type.group === group && type.versions.includes(version))) return { type: 'unknown' };
    if (tail.length === 0) return { type: 'resourceList', group, version };
    return parseResourcePath(group, version, tail, types);
  }
  return { type: 'unknown' };
}

function parseResourcePath(group: string, version: string, tail: readonly string[], types: readonly ResourceType[]): Route {
  const find = (plural: string | undefined): ResourceType | undefined =>
    types.find((type) => type.group === group && type.plural === plural && type.versions.includes(version));
  let namespace: string | undefined;
  let type: ResourceType | undefined;
  let itemPath: readonly string[];
  // `/namespaces/{ns}/{plural}/…` is namespaced; `/namespaces/{name}[/status]` is the Namespace object itself.
  const nested = tail[0] === 'namespaces' && tail.length >= 3 ? find(tail[2]) : undefined;
  if (nested?.namespaced) {
    namespace = tail[1];
    type = nested;
    itemPath = tail.slice(3);
  } else {
    type = find(tail[0]);
    itemPath = tail.slice(1);
    // A namespaced item needs its namespace in the path; only its collection is addressable across namespaces.
    if (type?.namespaced && itemPath.length > 0) return { type: 'unknown' };
  }
  if (!type || itemPath.length > 2) return { type: 'unknown' };
  const [name, subresource] = itemPath;
  if (subresource !== undefined && !(subresource === 'status' && type.statusSubresource)) return { type: 'unknown' };
  return { type: 'resource', resource: type, version, namespace, name, subresource };
}
