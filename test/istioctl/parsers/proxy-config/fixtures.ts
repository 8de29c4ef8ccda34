import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { JsonValue, scanJson } from '../../../../src/istioctl/parsers/proxy-config/json-text.ts';

/** A corpus file under test/fixtures/istioctl/proxy-config/. */
export function corpus(path: string): string {
  return readFileSync(new URL(`../../../fixtures/istioctl/proxy-config/${path}`, import.meta.url), 'utf8');
}

/** The synthetic sidecar dump under test/fixtures/istioctl-extra/ (see its README). */
export function syntheticDump(): string {
  return readFileSync(
    new URL('../../../fixtures/istioctl-extra/synthetic_sidecar_config_dump_with_secrets.json', import.meta.url),
    'utf8',
  );
}

/** A scanned JSON value; fails the test when the input is not JSON. */
export function scanned(input: string | Uint8Array): JsonValue {
  const value = scanJson(input);
  assert.ok(value instanceof JsonValue, `not JSON at ${JSON.stringify(value)}`);
  return value;
}

/** The value rebuilt from its pieces: members and elements cut by the scanner, leaves parsed alone. */
export function rebuild(value: JsonValue): unknown {
  if (value.kind === 'object') return Object.fromEntries(value.members().map(([key, member]) => [key, rebuild(member)]));
  if (value.kind === 'array') return value.elements().map(rebuild);
  return value.parse();
}
