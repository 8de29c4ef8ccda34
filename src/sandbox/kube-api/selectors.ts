/** `labelSelector` and `fieldSelector` query parameters, with the apiserver's grammar and error wording. */
import type { KubeObject } from './types.ts';
import { isJsonObject } from './types.ts';

/** A selector the apiserver would refuse; answered with 400 BadRequest and this message. */
export class SelectorError extends Error {}

export type ObjectFilter = (obj: KubeObject) => boolean;

const KEY = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const VALUE = String.raw`(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const EQUALITY = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const SET = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s+\(([^()]*)\)$`);
const EXISTS = new RegExp(String.raw`^(!?)\s*(${KEY})$`);

/** Splits on commas outside parentheses, so `env in (a,b),tier=web` is two requirements. */
function requirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < selector.length; index += 1) {
    const char = selector[index];
    if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === ',' && depth === 0) {
      parts.push(selector.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts.map((part) => part.trim());
}

/** Equality (`a=b`, `a==b`, `a!=b`), set (`a in (x,y)`, `a notin (x)`) and existence (`a`, `!a`) requirements. */
export function parseLabelSelector(selector: string): ObjectFilter {
  if (selector.trim() === '') return () => true;
  const tests = requirements(selector).map((requirement): ((labels: Record<string, string>) => boolean) => {
    const equality = EQUALITY.exec(requirement);
    if (equality) {
      const [, key = '', operator, value = ''] = equality;
      return operator === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
    }
    const set = SET.exec(requirement);
    if (set) {
      const [, key = '', operator, list = ''] = set;
      const values = new Set(list.split(',').map((value) => value.trim()));
      return operator === 'in'
        ? (labels) => labels[key] !== undefined && values.has(labels[key])
        : (labels) => labels[key] === undefined || !values.has(labels[key]);
    }
    const exists = EXISTS.exec(requirement);
    if (exists) {
      const [, negated, key = ''] = exists;
      return negated ? (labels) => !Object.hasOwn(labels, key) : (labels) => Object.hasOwn(labels, key);
    }
    throw new SelectorError(`unable to parse requirement: found '${requirement}', expected: label selector requirement`);
  });
  return (obj) => {
    const labels = obj.metadata?.labels ?? {};
    return tests.every((test) => test(labels));
  };
}

/** Value of a dotted field path as the apiserver compares it: missing fields are the empty string. */
function fieldValue(obj: KubeObject, path: string): string {
  let current: unknown = obj;
  for (const part of path.split('.')) current = isJsonObject(current) ? current[part] : undefined;
  if (current === undefined || current === null) return '';
  return typeof current === 'string' ? current : JSON.stringify(current);
}

/** `field=value`, `field==value`, `field!=value`, comma-separated; only the type's selectable fields are allowed. */
export function parseFieldSelector(selector: string, selectable: readonly string[]): ObjectFilter {
  if (selector.trim() === '') return () => true;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...selectable]);
  const tests = selector.split(',').map((requirement): ObjectFilter => {
    const match = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(requirement);
    if (!match) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${requirement}'`);
    const [, field = '', operator, value = ''] = match;
    if (!allowed.has(field)) throw new SelectorError(`field label not supported: ${field}`);
    return operator === '!=' ? (obj) => fieldValue(obj, field) !== value : (obj) => fieldValue(obj, field) === value;
  });
  return (obj) => tests.every((test) => test(obj));
}
