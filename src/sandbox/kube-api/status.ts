/**
 * `Status` bodies shaped exactly like kube-apiserver's (field order included), so clients parse the same text
 * they would get from a real cluster.
 */
import { qualifiedKind, qualifiedResource } from './resources.ts';
import type { ResourceType } from './resources.ts';
import type { FakeResponse } from './types.ts';

export interface StatusCause {
  readonly reason?: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

export interface StatusBody {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message?: string;
  readonly reason?: string;
  readonly details?: StatusDetails;
  readonly code?: number;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' } as const;

function failure(code: number, message: string, reason: string | undefined, details: StatusDetails | undefined, headers: Record<string, string> = {}): FakeResponse {
  // Built key by key because the apiserver omits empty fields (omitempty) and clients may compare the raw text.
  const body: { -readonly [K in keyof StatusBody]: StatusBody[K] } = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message };
  if (reason !== undefined) body.reason = reason;
  if (details !== undefined) body.details = details;
  body.code = code;
  return { status: code, headers: { ...JSON_HEADERS, ...headers }, body };
}

/** Details naming a resource the way apiserver errors do: `kind` holds the plural resource, group omitted for core. */
function resourceDetails(type: ResourceType, name: string | undefined): StatusDetails {
  return {
    ...(name ? { name } : {}),
    ...(type.group ? { group: type.group } : {}),
    kind: type.plural,
  };
}

function subject(type: ResourceType, name: string | undefined): string {
  return name ? `${qualifiedResource(type)} "${name}"` : qualifiedResource(type);
}

export function notFound(type: ResourceType, name: string): FakeResponse {
  return failure(404, `${subject(type, name)} not found`, 'NotFound', resourceDetails(type, name));
}

/** The answer for paths that name no served resource (unknown group, unserved version, typo). */
export function pathNotFound(): FakeResponse {
  return failure(404, 'the server could not find the requested resource', 'NotFound', {});
}

export function alreadyExists(type: ResourceType, name: string): FakeResponse {
  return failure(409, `${subject(type, name)} already exists`, 'AlreadyExists', resourceDetails(type, name));
}

const STALE_OBJECT_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(type: ResourceType, name: string, problem: string = STALE_OBJECT_MESSAGE): FakeResponse {
  return failure(409, `Operation cannot be fulfilled on ${subject(type, name)}: ${problem}`, 'Conflict', resourceDetails(type, name));
}

/** Field validation failure (422) with causes, like `field.ErrorList.ToAggregate()` renders them. */
export function invalid(type: ResourceType, name: string, causes: readonly (StatusCause & { readonly field: string })[]): FakeResponse {
  const rendered = causes.map((cause) => `${cause.field}: ${cause.message}`);
  const list = rendered.length === 1 ? (rendered[0] ?? '') : `[${rendered.join(', ')}]`;
  return failure(422, `${qualifiedKind(type)} "${name}" is invalid: ${list}`, 'Invalid', {
    name,
    ...(type.group ? { group: type.group } : {}),
    kind: type.kind,
    causes,
  });
}

/** What a failing JSON Patch (a `test` that does not hold, a path that does not exist) gets from the apiserver. */
export function genericInvalid(): FakeResponse {
  return failure(422, 'the server rejected our request due to an error in our request', 'Invalid', {});
}

export function badRequest(message: string): FakeResponse {
  return failure(400, message, 'BadRequest', undefined);
}

/** A validating admission webhook's refusal; the apiserver sends neither reason nor details for these. */
export function webhookDenied(webhook: string, message: string): FakeResponse {
  return failure(400, `admission webhook "${webhook}" denied the request: ${message}`, undefined, undefined);
}

/** The RBAC verb a request needs, as named in Forbidden messages. */
export function rbacVerb(method: string, isItem: boolean): string {
  switch (method) {
    case 'GET':
      return isItem ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return isItem ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

export function forbidden(type: ResourceType, name: string | undefined, verb: string, user: string, namespace: string | undefined): FakeResponse {
  const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
  const message =
    `${subject(type, name)} is forbidden: User "${user}" cannot ${verb} resource "${type.plural}" ` +
    `in API group "${type.group}" ${scope}`;
  return failure(403, message, 'Forbidden', resourceDetails(type, name));
}

/** Forbidden for a path that names no resource (discovery, /version). */
export function forbiddenPath(user: string, verb: string, path: string): FakeResponse {
  return failure(403, `forbidden: User "${user}" cannot ${verb} path "${path}"`, 'Forbidden', {});
}

export function unauthorized(): FakeResponse {
  return failure(401, 'Unauthorized', 'Unauthorized', undefined);
}

/** API Priority and Fairness rejecting a request: the client is told when to retry, in the body and the header. */
export function tooManyRequests(retryAfterSeconds: number): FakeResponse {
  return failure(429, 'Too many requests, please try again later.', 'TooManyRequests', { retryAfterSeconds }, {
    'Retry-After': String(retryAfterSeconds),
  });
}

export function internalError(cause: string): FakeResponse {
  return failure(500, `Internal error occurred: ${cause}`, 'InternalError', { causes: [{ message: cause }] });
}

export function serviceUnavailable(): FakeResponse {
  return failure(503, 'the server is currently unable to handle the request', 'ServiceUnavailable', {});
}

export function gatewayTimeout(): FakeResponse {
  return failure(504, 'Timeout: request did not complete within requested timeout - context deadline exceeded', 'Timeout', {});
}

export function methodNotAllowed(): FakeResponse {
  return failure(405, 'the server does not allow this method on the requested resource', 'MethodNotAllowed', {});
}

export function unsupportedMediaType(accepted: readonly string[]): FakeResponse {
  return failure(
    415,
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    'UnsupportedMediaType',
    undefined,
  );
}

/** Fallback for status codes without a specific shape, worded like client-go's generic server response. */
export function genericFailure(code: number): FakeResponse {
  return failure(code, `the server responded with the status code ${code} but did not return more information`, 'Unknown', {});
}

/** The body of a successful custom-resource DELETE: a Success Status naming what was removed (no code). */
export function deleted(type: ResourceType, name: string, uid: string | undefined): FakeResponse {
  const body: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { ...resourceDetails(type, name), ...(uid ? { uid } : {}) },
  };
  return { status: 200, headers: JSON_HEADERS, body };
}

export function ok(body: unknown, status = 200): FakeResponse {
  return { status, headers: JSON_HEADERS, body };
}
