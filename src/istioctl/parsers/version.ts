import { parse as parseYamlText } from 'yaml';
import { z } from 'zod';
import { err, ok } from '../../result.ts';
import type { Result } from '../../result.ts';
import type { IstioMinor, IstioctlVersionInfo, ParseFailure } from '../types.ts';

const buildInfoSchema = z.object({
  version: z.string().min(1),
  revision: z.string().optional(),
  golang_version: z.string().optional(),
  status: z.string().optional(),
  tag: z.string().optional(),
});

/** `istioctl version --remote=false -o json|yaml`; remote sections are not read (mesh-bot asks with --remote=false). */
const structuredVersionSchema = z.object({ clientVersion: buildInfoSchema });

/**
 * Parses `istioctl version` stdout: `-o json`, `-o yaml`, and the short text forms
 * (`client version: X`, a bare `X` from 1.20-1.22, `control plane version: X`, `<Component> version: X`).
 */
export function parseIstioctlVersion(stdout: string): Result<IstioctlVersionInfo, ParseFailure> {
  const trimmed = stdout.trim();
  if (trimmed === '') return fail('istioctl version printed nothing.');
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (e) {
      return fail(`istioctl version printed invalid JSON: ${(e as Error).message}.`);
    }
    return fromStructured(value);
  }
  if (trimmed.startsWith('clientVersion:')) {
    let value: unknown;
    try {
      value = parseYamlText(trimmed);
    } catch (e) {
      return fail(`istioctl version printed invalid YAML: ${(e as Error).message}`);
    }
    return fromStructured(value);
  }
  return fromText(trimmed);
}

function fromStructured(value: unknown): Result<IstioctlVersionInfo, ParseFailure> {
  const parsed = structuredVersionSchema.safeParse(value);
  if (!parsed.success) {
    return fail(`istioctl version output has no clientVersion.version: ${z.prettifyError(parsed.error)}`);
  }
  return ok({ client: parsed.data.clientVersion.version, controlPlane: [] });
}

const CLIENT_PREFIX = 'client version:';
const CONTROL_PLANE_PREFIX = 'control plane version:';
/** `<Component> version: X`, one line per istiod when their versions differ (Component is a pod label). */
const COMPONENT_LINE = /^(\S+) version: (\S+)$/;
/** A bare version token, as 1.20-1.22 print for `version -s --remote=false`. */
const BARE_VERSION = /^\S+$/;

function fromText(text: string): Result<IstioctlVersionInfo, ParseFailure> {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  let client: string | undefined;
  const controlPlane: { component: string; version: string }[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.startsWith(CLIENT_PREFIX)) {
      client = line.slice(CLIENT_PREFIX.length).trim();
    } else if (line.startsWith(CONTROL_PLANE_PREFIX)) {
      controlPlane.push({ component: 'control plane', version: line.slice(CONTROL_PLANE_PREFIX.length).trim() });
    } else if (line.startsWith('data plane version:')) {
      // Proxy versions come from proxy-status, which also says which proxy runs which version.
      continue;
    } else if (index === 0 && BARE_VERSION.test(line)) {
      client = line;
    } else {
      const match = COMPONENT_LINE.exec(line);
      if (match === null) return fail(`Unexpected line in istioctl version output: "${line.slice(0, 120)}".`);
      controlPlane.push({ component: match[1] as string, version: match[2] as string });
    }
  }
  if (client === undefined || client === '') return fail('istioctl version output names no client version.');
  return ok({ client, controlPlane });
}

/** `1.28.1`, `v1.24.2`, `1.22.0-beta.1`, `1.30-dev`, `1.20`; anything else (`unknown`, garbage) → null. */
const SEMVER_PREFIX = /^v?(\d{1,4})\.(\d{1,4})(?:[.\-+].*)?$/;

export function toIstioMinor(version: string): IstioMinor | null {
  const match = SEMVER_PREFIX.exec(version.trim());
  if (match === null) return null;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

function fail(message: string): { readonly ok: false; readonly error: ParseFailure } {
  return err({ kind: 'parse', message });
}
