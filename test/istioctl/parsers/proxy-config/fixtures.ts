import { readFileSync } from 'node:fs';

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
