/** Shapes shared by the fake Kubernetes API server's modules and its users. */

/** Any Kubernetes object as JSON. Only the fields the server itself relies on are typed. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** Admission operations as a validating webhook sees them: PUT and PATCH are both UPDATE. */
export type AdmissionOperation = 'CREATE' | 'UPDATE';

/** A validating webhook's refusal; the server answers 400 `admission webhook "<webhook>" denied the request: <message>`. */
export interface AdmissionDenial {
  readonly webhook: string;
  readonly message: string;
}

/**
 * A validating admission hook for one resource type. It sees the object exactly as it would be stored (after
 * patching, defaulting of metadata and status handling) and runs on dry-run requests too, like a webhook with
 * `sideEffects: None`.
 */
export type Validator = (obj: KubeObject, operation: AdmissionOperation) => AdmissionDenial | undefined;

/** JSON-ready HTTP answer of the fake server; `body` is serialized as is (a string is sent verbatim). */
export interface FakeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** One request as the server received it, for assertions about what a client sent. */
export interface RecordedRequest {
  readonly method: string;
  /** URL path without the query string, percent-decoding left as sent. */
  readonly path: string;
  /** Query parameters; a repeated parameter keeps its last value. */
  readonly query: Readonly<Record<string, string>>;
  readonly contentType: string | undefined;
  /** Parsed JSON when the body is JSON, the raw text otherwise, undefined when empty. */
  readonly body: unknown;
}

/** A queued failure: the next matching request(s) get this answer instead of being served. */
export interface FaultSpec {
  /** HTTP method to match (any case); any method when absent. */
  readonly method?: string;
  /** Tested against the request path (no query string); any path when absent. */
  readonly pathPattern?: RegExp;
  readonly status: number;
  /** Response body; a realistic Status for `status` (and the request's resource) when absent. */
  readonly body?: unknown;
  /** Extra response headers; a 429 gets `Retry-After: 1` unless given here. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How many matching requests fail; default 1. */
  readonly times?: number;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
