/** Checks the real apiserver (and Istio's webhook) apply to objects before they are stored. */
import type { ResourceType } from './resources.ts';
import type { AdmissionDenial, KubeObject, Validator } from './types.ts';
import { isJsonObject } from './types.ts';

export const ISTIO_WEBHOOK = 'validation.istio.io';

/**
 * Istio's weight rules for VirtualService routes (pilot/pkg/config/validation): a weight may not be negative, and
 * several destinations may not add up to 0. Weights need not sum to 100 (accepted since 2022).
 */
export const istioVirtualServiceValidator: Validator = (obj) => {
  const spec = isJsonObject(obj.spec) ? obj.spec : {};
  const problems: string[] = [];
  for (const section of ['http', 'tcp', 'tls']) {
    const routes = spec[section];
    if (!Array.isArray(routes)) continue;
    for (const route of routes) {
      const destinations = isJsonObject(route) && Array.isArray(route.route) ? route.route : [];
      let total = 0;
      for (const destination of destinations) {
        const weight = isJsonObject(destination) && typeof destination.weight === 'number' ? destination.weight : 0;
        if (weight < 0) problems.push(`weight ${weight} < 0`);
        total += weight;
      }
      if (destinations.length > 1 && total === 0) problems.push('total destination weight = 0');
    }
  }
  return problems.length === 0 ? undefined : istioDenial(problems);
};

/** Istio aggregates with hashicorp/go-multierror, whose text differs for one and for several errors. */
function istioDenial(problems: readonly string[]): AdmissionDenial {
  const text =
    problems.length === 1
      ? (problems[0] ?? '')
      : `${problems.length} errors occurred:\n${problems.map((problem) => `\t* ${problem}`).join('\n')}\n\n`;
  return { webhook: ISTIO_WEBHOOK, message: `configuration is invalid: ${text}` };
}

const RFC3339_MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(?:Z|[+-]\d{2}:\d{2})$/;
const UP_TO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

/**
 * metav1.MicroTime decodes with Go's layout "2006-01-02T15:04:05.000000Z07:00", which demands exactly six
 * fraction digits; a JavaScript Date serializes three, so the real apiserver refuses it. Returns the decode error.
 */
export function microTimeError(type: ResourceType, version: string, obj: KubeObject): string | undefined {
  for (const field of type.microTimeFields) {
    let value: unknown = obj;
    for (const part of field.split('.')) value = isJsonObject(value) ? value[part] : undefined;
    if (value === undefined || value === null) continue;
    const prefix = `${type.kind} in version "${version}" cannot be handled as a ${type.kind}: `;
    if (typeof value !== 'string') return `${prefix}json: cannot unmarshal ${typeof value} into Go struct field of type string`;
    if (RFC3339_MICRO.test(value)) continue;
    const seconds = UP_TO_SECONDS.exec(value);
    const rest = seconds ? value.slice(seconds[0].length) : value;
    const layoutPart = seconds ? '.000000' : '2006';
    return `${prefix}parsing time "${value}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "${rest}" as "${layoutPart}"`;
  }
  return undefined;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The apiserver's name validation message, or undefined when the name is valid for the type. */
export function nameError(type: ResourceType, name: string): string | undefined {
  if (type.plural === 'namespaces') {
    if (name.length <= 63 && DNS1123_LABEL.test(name)) return undefined;
    return (
      `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', ` +
      `and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is ` +
      `'[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
    );
  }
  if (name.length <= 253 && DNS1123_SUBDOMAIN.test(name)) return undefined;
  return (
    `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', ` +
    `and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is ` +
    `'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`
  );
}
