/**
 * The fake API server's state and request semantics, independent of HTTP: every request is handled synchronously
 * from start to end, so concurrent requests are atomic with respect to each other (like etcd transactions).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { applyJsonPatch, applyMergePatch, decodeJsonPatch, deepEqual, JsonPatchApplyError, JsonPatchDecodeError } from './json-patch.ts';
import { buildResourceTypes, groupVersion, ISTIO_GROUP, ISTIO_VERSIONS, parseRoute, qualifiedResource, sortByVersionPriority } from './resources.ts';
import type { ResourceSetOptions, ResourceType, Route } from './resources.ts';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.ts';
import type { ObjectFilter } from './selectors.ts';
import * as status from './status.ts';
import type { FakeResponse, FaultSpec, KubeObject, ObjectMeta, RecordedRequest, Validator } from './types.ts';
import { isJsonObject } from './types.ts';
import { ISTIO_WEBHOOK, istioVirtualServiceValidator, microTimeError, nameError } from './validation.ts';

export interface ApiStateOptions extends ResourceSetOptions {
  /**
   * Validating admission keyed by qualified resource (`virtualservices.networking.istio.io`, `configmaps`),
   * merged over the defaults (Istio's VirtualService rules); `null` removes a default.
   */
  readonly validators: Readonly<Record<string, Validator | null>>;
  /** Reported by `GET /version`, e.g. `v1.33.1`. */
  readonly kubernetesVersion: string;
  /** Identity named in injected Forbidden messages. */
  readonly user: string;
}

export interface IncomingRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly bodyText: string;
  /** `host:port` the client connected to, echoed by `GET /api` like a real apiserver. */
  readonly host: string;
}

export interface ListSelectors {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

interface QueuedFault {
  readonly spec: FaultSpec;
  remaining: number;
}

type ResourceRoute = Extract<Route, { type: 'resource' }>;

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
/** Kubernetes' generateName alphabet: no vowels (no accidental words) and no look-alike characters. */
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export class ApiState {
  readonly #types: readonly ResourceType[];
  readonly #options: ApiStateOptions;
  readonly #validators = new Map<string, Validator>([['virtualservices.networking.istio.io', istioVirtualServiceValidator]]);
  /** Stored objects by `group/plural/namespace/name`; one copy whatever version it was written through. */
  readonly #objects = new Map<string, KubeObject>();
  readonly #faults: QueuedFault[] = [];
  readonly #requests: RecordedRequest[] = [];
  #resourceVersion = 0;

  constructor(options: ApiStateOptions) {
    this.#options = options;
    this.#types = buildResourceTypes(options);
    const known = new Set(this.#types.map(qualifiedResource));
    for (const [resource, validator] of Object.entries(options.validators)) {
      // A misspelt key would otherwise leave a test believing its webhook is in place.
      if (!known.has(resource)) throw new Error(`fake-kube-api: validator for unknown resource "${resource}" (known: ${[...known].join(', ')})`);
      if (validator === null) this.#validators.delete(resource);
      else this.#validators.set(resource, validator);
    }
  }

  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  failNext(spec: FaultSpec): void {
    const remaining = spec.times ?? 1;
    if (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599) throw new Error(`fake-kube-api: failNext status must be an HTTP status code, got ${spec.status}`);
    if (!Number.isInteger(remaining) || remaining < 1) throw new Error(`fake-kube-api: failNext times must be a positive integer, got ${remaining}`);
    this.#faults.push({ spec, remaining });
  }

  handle(request: IncomingRequest): FakeResponse {
    const method = request.method.toUpperCase();
    const body = parseBody(request.bodyText);
    this.#requests.push({
      method,
      path: request.path,
      query: Object.fromEntries(request.query),
      contentType: request.contentType,
      body: body.ok ? body.value : request.bodyText || undefined,
    });
    const route = parseRoute(request.path, this.#types);
    const fault = this.#takeFault(method, request.path);
    if (fault) return this.#faultResponse(fault, route, method, request);
    try {
      return this.#serve(route, method, request, body);
    } catch (error) {
      return status.internalError(error instanceof Error ? error.message : String(error));
    }
  }

  // ---- direct access for tests and sandbox seeding (no admission, no preconditions) ----

  /** Creates or overwrites an object, filling uid, creationTimestamp, generation and a new resourceVersion. */
  put(obj: KubeObject): KubeObject {
    const { type, version } = this.#resolve(obj.apiVersion ?? '', obj.kind ?? '');
    const metadata: ObjectMeta = { ...obj.metadata };
    if (!metadata.name && metadata.generateName) metadata.name = this.#generateName(type, metadata.namespace ?? 'default', metadata.generateName);
    if (!metadata.name) throw new Error(`fake-kube-api: put(${type.kind}) needs metadata.name or metadata.generateName`);
    if (type.namespaced) metadata.namespace ??= 'default';
    else delete metadata.namespace;
    const existing = this.#objects.get(storageKey(type, metadata.namespace, metadata.name));
    metadata.uid ??= existing?.metadata?.uid ?? randomUUID();
    metadata.creationTimestamp ??= existing?.metadata?.creationTimestamp ?? timestamp();
    if (type.custom) metadata.generation ??= (existing?.metadata?.generation ?? 0) + 1;
    return present(this.#commit(type, { ...structuredClone(obj), metadata }), type, version);
  }

  get(apiVersion: string, kindOrPlural: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const { type, version } = this.#resolve(apiVersion, kindOrPlural);
    const stored = this.#objects.get(storageKey(type, type.namespaced ? namespace : undefined, name));
    return stored && present(stored, type, version);
  }

  /** Objects of a type, in one namespace or (namespace undefined) all; throws SelectorError for bad selectors. */
  list(apiVersion: string, kindOrPlural: string, namespace?: string, selectors: ListSelectors = {}): KubeObject[] {
    const { type, version } = this.#resolve(apiVersion, kindOrPlural);
    const filter = selectorFilter(type, selectors.labelSelector, selectors.fieldSelector);
    return this.#scan(type, namespace).filter(filter).map((obj) => present(obj, type, version));
  }

  #resolve(apiVersion: string, kindOrPlural: string): { type: ResourceType; version: string } {
    const slash = apiVersion.lastIndexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    const wanted = kindOrPlural.toLowerCase();
    const type = this.#types.find((candidate) => candidate.group === group && (candidate.kind.toLowerCase() === wanted || candidate.plural === wanted));
    // Istio objects are stored version-independently, so any version Istio has ever served may name them.
    const versions = type?.group === ISTIO_GROUP ? ISTIO_VERSIONS : type?.versions;
    if (!type || !versions?.includes(version)) throw new Error(`fake-kube-api: no resource "${kindOrPlural}" in "${apiVersion}"`);
    return { type, version };
  }

  // ---- faults ----

  #takeFault(method: string, path: string): FaultSpec | undefined {
    const index = this.#faults.findIndex(({ spec }) => {
      if (spec.method !== undefined && spec.method.toUpperCase() !== method) return false;
      if (spec.pathPattern === undefined) return true;
      spec.pathPattern.lastIndex = 0; // a /g or /y pattern would otherwise remember where it stopped
      return spec.pathPattern.test(path);
    });
    const fault = this.#faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.#faults.splice(index, 1);
    return fault.spec;
  }

  #faultResponse(fault: FaultSpec, route: Route, method: string, request: IncomingRequest): FakeResponse {
    const base = fault.body === undefined ? this.#defaultFaultBody(fault, route, method, request) : status.ok(fault.body, fault.status);
    const retryAfter: Record<string, string> = fault.status === 429 ? { 'Retry-After': '1' } : {};
    return { status: fault.status, headers: mergeHeaders(retryAfter, base.headers, fault.headers ?? {}), body: base.body };
  }

  #defaultFaultBody(fault: FaultSpec, route: Route, method: string, request: IncomingRequest): FakeResponse {
    const target = route.type === 'resource' ? route : undefined;
    switch (fault.status) {
      case 400:
        return status.webhookDenied(ISTIO_WEBHOOK, 'configuration is invalid: rejected by an injected fault');
      case 401:
        return status.unauthorized();
      case 403:
        return target
          ? status.forbidden(target.resource, target.name, status.rbacVerb(method, target.name !== undefined), this.#options.user, target.namespace)
          : status.forbiddenPath(this.#options.user, method.toLowerCase(), request.path);
      case 404:
        return target?.name ? status.notFound(target.resource, target.name) : status.pathNotFound();
      case 409:
        return target?.name ? status.conflict(target.resource, target.name) : status.genericFailure(409);
      case 422:
        return status.genericInvalid();
      case 429: {
        const header = Object.entries(fault.headers ?? {}).find(([key]) => key.toLowerCase() === 'retry-after')?.[1];
        const seconds = Number(header);
        return status.tooManyRequests(Number.isInteger(seconds) && seconds >= 0 ? seconds : 1);
      }
      case 500:
        return status.internalError('injected fault');
      case 503:
        return status.serviceUnavailable();
      case 504:
        return status.gatewayTimeout();
      default:
        return status.genericFailure(fault.status);
    }
  }

  // ---- routing ----

  #serve(route: Route, method: string, request: IncomingRequest, body: ParsedBody): FakeResponse {
    if (route.type === 'unknown') return status.pathNotFound();
    if (route.type === 'resource') return this.#serveResource(route, method, request.query, body, request.contentType);
    if (method !== 'GET') return status.methodNotAllowed();
    switch (route.type) {
      case 'version':
        return status.ok(versionInfo(this.#options.kubernetesVersion));
      case 'coreVersions':
        return status.ok({
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: request.host }],
        });
      case 'groupList':
        return status.ok({ kind: 'APIGroupList', apiVersion: 'v1', groups: this.#groupNames().map((group) => this.#groupDocument(group)) });
      case 'group':
        return status.ok({ kind: 'APIGroup', apiVersion: 'v1', ...this.#groupDocument(route.group) });
      case 'resourceList':
        return status.ok(this.#resourceList(route.group, route.version));
    }
  }

  #serveResource(route: ResourceRoute, method: string, query: URLSearchParams, body: ParsedBody, contentType: string | undefined): FakeResponse {
    const dryRunValue = query.get('dryRun');
    if (dryRunValue !== null && dryRunValue !== 'All') return status.badRequest(`dryRun: Unsupported value: "${dryRunValue}": supported values: "All"`);
    const dryRun = dryRunValue === 'All';
    const { resource: type, namespace, name } = route;
    if (name === undefined) {
      if (method === 'GET') return this.#listResponse(route, query);
      // Creation needs the namespace in the path; `/api/v1/pods` only lists.
      if (method === 'POST' && (namespace !== undefined || !type.namespaced)) return this.#create(route, body, dryRun);
      return status.methodNotAllowed();
    }
    const current = this.#objects.get(storageKey(type, namespace, name));
    if (method === 'POST') return status.methodNotAllowed();
    if (!current) return status.notFound(type, name);
    switch (method) {
      case 'GET':
        return status.ok(present(current, type, route.version));
      case 'PUT': {
        const decoded = decodeObject(type, route.version, body);
        return decoded.ok ? this.#update(route, current, decoded.obj, true, dryRun) : decoded.response;
      }
      case 'PATCH':
        return this.#patch(route, current, body, contentType, dryRun);
      case 'DELETE':
        return route.subresource ? status.methodNotAllowed() : this.#delete(route, current, body, dryRun);
      default:
        return status.methodNotAllowed();
    }
  }

  // ---- handlers ----

  #listResponse(route: ResourceRoute, query: URLSearchParams): FakeResponse {
    const { resource: type, version } = route;
    // Informers need watch; refusing loudly beats a client waiting forever on a stream that never comes.
    if (query.get('watch') === 'true' || query.get('watch') === '1') return status.badRequest('watch is not supported by the fake API server');
    let filter: ObjectFilter;
    try {
      filter = selectorFilter(type, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined);
    } catch (error) {
      if (error instanceof SelectorError) return status.badRequest(error.message);
      throw error;
    }
    const items = this.#scan(type, route.namespace)
      .filter(filter)
      .map((obj) => {
        const item: KubeObject = present(obj, type, version);
        // Built-in list items come without apiVersion/kind from a real apiserver; custom resource items keep them.
        if (!type.custom) {
          delete item.apiVersion;
          delete item.kind;
        }
        return item;
      });
    return status.ok({
      apiVersion: groupVersion(type.group, version),
      kind: `${type.kind}List`,
      metadata: { resourceVersion: String(this.#resourceVersion) },
      items,
    });
  }

  #create(route: ResourceRoute, body: ParsedBody, dryRun: boolean): FakeResponse {
    const { resource: type, version, namespace } = route;
    const decoded = decodeObject(type, version, body);
    if (!decoded.ok) return decoded.response;
    const metadata: ObjectMeta = { ...decoded.obj.metadata };
    if (type.namespaced) {
      if (metadata.namespace && metadata.namespace !== namespace) {
        return status.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      metadata.namespace = namespace;
    } else {
      delete metadata.namespace;
    }
    if (!metadata.name && metadata.generateName) metadata.name = this.#generateName(type, namespace, metadata.generateName);
    const name = metadata.name ?? '';
    if (!name) {
      return status.invalid(type, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
    }
    const badName = nameError(type, name);
    if (badName) return status.invalid(type, name, [{ reason: 'FieldValueInvalid', message: badName, field: 'metadata.name' }]);
    const badTime = microTimeError(type, version, decoded.obj);
    if (badTime) return status.badRequest(badTime);
    const clientResourceVersion = metadata.resourceVersion;
    metadata.uid = randomUUID();
    metadata.creationTimestamp = timestamp();
    if (type.custom) metadata.generation = 1;
    delete metadata.resourceVersion;
    const candidate: KubeObject = { ...decoded.obj, metadata };
    // With a status subresource the apiserver drops status on create; controllers own it.
    if (type.statusSubresource) delete candidate.status;
    const denial = this.#validators.get(qualifiedResource(type))?.(present(candidate, type, version), 'CREATE');
    if (denial) return status.webhookDenied(denial.webhook, denial.message);
    // Storage-level checks come after admission in the real apiserver, and run on dry-run too.
    if (clientResourceVersion) return status.internalError('resourceVersion should not be set on objects to be created');
    if (this.#objects.has(storageKey(type, namespace, name))) return status.alreadyExists(type, name);
    if (dryRun) return status.ok(present(candidate, type, version), 201);
    return status.ok(present(this.#commit(type, candidate), type, version), 201);
  }

  #patch(route: ResourceRoute, current: KubeObject, body: ParsedBody, contentType: string | undefined, dryRun: boolean): FakeResponse {
    const { resource: type, version } = route;
    const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const accepted = type.custom ? [JSON_PATCH, MERGE_PATCH] : [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH];
    if (!accepted.includes(mediaType)) return status.unsupportedMediaType(accepted);
    if (!body.ok) return status.badRequest(body.error);
    const original = present(current, type, version);
    let patched: unknown;
    if (mediaType === JSON_PATCH) {
      try {
        patched = applyJsonPatch(original, decodeJsonPatch(body.value));
      } catch (error) {
        if (error instanceof JsonPatchDecodeError) return status.badRequest(error.message);
        if (error instanceof JsonPatchApplyError) return status.genericInvalid();
        throw error;
      }
    } else {
      // A strategic merge patch on a built-in type is treated as a plain merge patch: lists are replaced, not
      // merged by key, and `$patch` directives are not understood.
      if (!isJsonObject(body.value)) return status.badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
      patched = applyMergePatch(original, body.value);
    }
    const decoded = decodeObject(type, version, { ok: true, value: patched });
    return decoded.ok ? this.#update(route, current, decoded.obj, false, dryRun) : decoded.response;
  }

  /**
   * The shared tail of PUT and PATCH: preconditions, system metadata, status subresource rules, decoding checks,
   * admission, and a no-op write that leaves resourceVersion alone (as etcd does).
   */
  #update(route: ResourceRoute, current: KubeObject, candidate: KubeObject, fromPut: boolean, dryRun: boolean): FakeResponse {
    const { resource: type, version, namespace, subresource } = route;
    const name = route.name ?? '';
    const metadata = candidate.metadata ?? {};
    if (metadata.name !== name) return status.badRequest(`the name of the object (${metadata.name ?? ''}) does not match the name on the URL (${name})`);
    if (type.namespaced && metadata.namespace && metadata.namespace !== namespace) {
      return status.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const currentResourceVersion = current.metadata?.resourceVersion ?? '';
    if (!metadata.resourceVersion) {
      // Custom resources refuse unconditional updates; a patch without resourceVersion is unconditional by design.
      if (fromPut && type.custom) {
        return status.invalid(type, name, [
          { reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' },
        ]);
      }
    } else if (metadata.resourceVersion !== currentResourceVersion) {
      return status.conflict(type, name);
    }
    let next: KubeObject;
    if (subresource === 'status') {
      next = withField(structuredClone(current), 'status', candidate.status);
    } else {
      next = { ...candidate, metadata: { ...metadata, namespace: current.metadata?.namespace, uid: current.metadata?.uid, creationTimestamp: current.metadata?.creationTimestamp } };
      if (!type.namespaced) delete next.metadata?.namespace;
      if (type.statusSubresource) next = withField(next, 'status', current.status);
      if (type.custom) {
        const generation = current.metadata?.generation ?? 1;
        // metadata.generation counts changes of the desired state only, not of metadata or status.
        const changed = !deepEqual(desiredState(toJson(next)), desiredState(current));
        next.metadata = { ...next.metadata, generation: changed ? generation + 1 : generation };
      }
    }
    next.metadata = { ...next.metadata, resourceVersion: currentResourceVersion };
    const badTime = microTimeError(type, version, next);
    if (badTime) return status.badRequest(badTime);
    // Istio's webhook rules name the main resources only, so status writes skip validation like they do in a cluster.
    const denial = subresource === 'status' ? undefined : this.#validators.get(qualifiedResource(type))?.(present(next, type, version), 'UPDATE');
    if (denial) return status.webhookDenied(denial.webhook, denial.message);
    if (dryRun) return status.ok(present(next, type, version));
    if (deepEqual(withoutTypeMeta(toJson(next)), withoutTypeMeta(current))) return status.ok(present(current, type, version));
    return status.ok(present(this.#commit(type, next), type, version));
  }

  #delete(route: ResourceRoute, current: KubeObject, body: ParsedBody, dryRun: boolean): FakeResponse {
    const { resource: type, version } = route;
    const name = route.name ?? '';
    const preconditions = body.ok && isJsonObject(body.value) && isJsonObject(body.value.preconditions) ? body.value.preconditions : {};
    const uid = current.metadata?.uid ?? '';
    const resourceVersion = current.metadata?.resourceVersion ?? '';
    if (typeof preconditions.uid === 'string' && preconditions.uid !== uid) {
      return status.conflict(type, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${uid}`);
    }
    if (typeof preconditions.resourceVersion === 'string' && preconditions.resourceVersion !== resourceVersion) {
      return status.conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${resourceVersion}`);
    }
    if (!dryRun) {
      this.#objects.delete(storageKey(type, current.metadata?.namespace, name));
      this.#resourceVersion += 1; // a deletion is a write in etcd and moves the revision on
    }
    // Built-in types answer with the deleted object, custom resources with a Success Status.
    return type.custom ? status.deleted(type, name, uid) : status.ok(present(current, type, version));
  }

  // ---- storage ----

  #commit(type: ResourceType, obj: KubeObject): KubeObject {
    this.#resourceVersion += 1;
    const stored = toJson({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.#resourceVersion) } });
    this.#objects.set(storageKey(type, stored.metadata?.namespace, stored.metadata?.name ?? ''), stored);
    return stored;
  }

  #scan(type: ResourceType, namespace: string | undefined): KubeObject[] {
    const prefix = `${type.group}/${type.plural}/${type.namespaced && namespace !== undefined ? `${namespace}/` : ''}`;
    // Sorted like etcd keys (namespace, then name), which is the order a real list returns.
    return [...this.#objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => obj);
  }

  #generateName(type: ResourceType, namespace: string | undefined, prefix: string): string {
    for (;;) {
      let suffix = '';
      for (let i = 0; i < 5; i += 1) suffix += NAME_SUFFIX_ALPHABET[randomInt(NAME_SUFFIX_ALPHABET.length)];
      const name = `${prefix}${suffix}`;
      if (!this.#objects.has(storageKey(type, namespace, name))) return name;
    }
  }

  // ---- discovery ----

  #groupNames(): string[] {
    return [...new Set(this.#types.map((type) => type.group).filter((group) => group !== ''))];
  }

  #groupDocument(group: string): { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion: { groupVersion: string; version: string } } {
    const versions = sortByVersionPriority(this.#types.filter((type) => type.group === group).flatMap((type) => type.versions)).map((version) => ({
      groupVersion: groupVersion(group, version),
      version,
    }));
    const preferred = versions[0];
    if (!preferred) throw new Error(`fake-kube-api: group ${group} serves no version`);
    return { name: group, versions, preferredVersion: preferred };
  }

  #resourceList(group: string, version: string): unknown {
    const resources = this.#types
      .filter((type) => type.group === group && type.versions.includes(version))
      .flatMap((type) => [
        {
          name: type.plural,
          singularName: type.singular,
          namespaced: type.namespaced,
          kind: type.kind,
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
          ...(type.shortNames.length > 0 ? { shortNames: type.shortNames } : {}),
        },
        ...(type.statusSubresource ? [{ name: `${type.plural}/status`, singularName: '', namespaced: type.namespaced, kind: type.kind, verbs: ['get', 'patch', 'update'] }] : []),
      ]);
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
  }
}

type Decoded = { readonly ok: true; readonly obj: KubeObject } | { readonly ok: false; readonly response: FakeResponse };

type ParsedBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

function parseBody(text: string): ParsedBody {
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `couldn't get version/kind; json parse error: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Decoding as the apiserver does it for a request body: a JSON object whose apiVersion/kind match the URL.
 * Built-in types default missing apiVersion/kind from the URL; custom resources (unstructured) require them.
 */
function decodeObject(type: ResourceType, version: string, body: ParsedBody): Decoded {
  const refuse = (message: string): Decoded => ({ ok: false, response: status.badRequest(message) });
  if (!body.ok) return refuse(body.error);
  const text = JSON.stringify(body.value) ?? '';
  if (!isJsonObject(body.value)) return refuse(`Object 'Kind' is missing in '${text}'`);
  const obj = structuredClone(body.value) as KubeObject;
  const expected = groupVersion(type.group, version);
  if (type.custom && (typeof obj.kind !== 'string' || obj.kind === '')) return refuse(`Object 'Kind' is missing in '${text}'`);
  if (type.custom && (typeof obj.apiVersion !== 'string' || obj.apiVersion === '')) return refuse(`Object 'apiVersion' is missing in '${text}'`);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
    return refuse(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`);
  }
  if (obj.kind !== undefined && obj.kind !== type.kind) return refuse(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${type.kind})`);
  if (obj.metadata !== undefined && !isJsonObject(obj.metadata)) {
    return refuse(`${type.kind} in version "${version}" cannot be handled as a ${type.kind}: json: cannot unmarshal metadata into Go struct field of type v1.ObjectMeta`);
  }
  return { ok: true, obj };
}

function selectorFilter(type: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined): ObjectFilter {
  const labels = parseLabelSelector(labelSelector ?? '');
  const fields = parseFieldSelector(fieldSelector ?? '', type.selectableFields);
  return (obj) => labels(obj) && fields(obj);
}

function storageKey(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${type.group}/${type.plural}/${type.namespaced ? `${namespace ?? ''}/` : ''}${name}`;
}

/** A copy as served under `version`: apiVersion rewritten (conversion), fields in the apiserver's order. */
function present(obj: KubeObject, type: ResourceType, version: string): KubeObject {
  const { apiVersion: _apiVersion, kind: _kind, metadata, ...rest } = structuredClone(obj);
  return { apiVersion: groupVersion(type.group, version), kind: type.kind, metadata, ...rest };
}

/** Later sources win; header names compare case-insensitively so a caller's `retry-after` replaces ours. */
function mergeHeaders(...sources: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const merged = new Map<string, [string, string]>();
  for (const source of sources) for (const [name, value] of Object.entries(source)) merged.set(name.toLowerCase(), [name, value]);
  return Object.fromEntries(merged.values());
}

/** Stored objects are pure JSON: no undefined members, nothing shared with the caller. */
function toJson(obj: KubeObject): KubeObject {
  return JSON.parse(JSON.stringify(obj)) as KubeObject;
}

/** apiVersion/kind say through which version an object was read or written, not what it contains. */
function withoutTypeMeta(obj: KubeObject): KubeObject {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = obj;
  return rest;
}

function desiredState(obj: KubeObject): KubeObject {
  const { apiVersion: _apiVersion, kind: _kind, metadata: _metadata, status: _status, ...rest } = obj;
  return rest;
}

function withField(obj: KubeObject, field: string, value: unknown): KubeObject {
  const copy = { ...obj };
  if (value === undefined) delete copy[field];
  else copy[field] = structuredClone(value);
  return copy;
}

/** Kubernetes Time: RFC 3339 in UTC with whole seconds. */
function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function versionInfo(gitVersion: string): unknown {
  const match = /^v(\d+)\.(\d+)\.\d+/.exec(gitVersion);
  return {
    major: match?.[1] ?? '1',
    minor: match?.[2] ?? '0',
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
