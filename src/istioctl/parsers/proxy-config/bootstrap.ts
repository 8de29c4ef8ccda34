import { z } from 'zod';
import { ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { describeIssue, failure, fromDump, readAs, readJsonOutput, textLines } from './common.ts';
import type { ConfigDump, JsonOutput } from './common.ts';
import type { JsonValue } from './json-text.ts';

/** The few bootstrap facts the bot shows; the rest of the bootstrap is deliberately not surfaced. */
export interface BootstrapInfo {
  /** ISTIO_VERSION, '' when absent. */
  readonly istioVersion: string;
  /** ISTIO_PROXY_SHA without its `istio-proxy:` prefix. */
  readonly istioProxyVersion: string;
  /** Formatted like istioctl: `1.18.3/Clean/RELEASE/BoringSSL`; '' from the text form when not printed. */
  readonly envoyVersion: string;
  /** Node metadata CLUSTER_ID, NAMESPACE, MESH_ID; '' when absent (never in the text form). */
  readonly clusterId: string;
  readonly namespace: string;
  readonly meshId: string;
}

const stringMap = z.record(z.string(), z.unknown());
/** Node metadata maps are read as they are: their keys (`ISTIO_VERSION`, `build.label`) are not field names. */
const bootstrapJson = z.object({
  bootstrap: z.object({
    node: z.object({
      metadata: stringMap.optional(),
      userAgentBuildVersion: z.object({
        version: z.object({
          majorNumber: z.number().optional(),
          minorNumber: z.number().optional(),
          patch: z.number().optional(),
        }).optional(),
        metadata: stringMap.optional(),
      }).optional(),
    }).optional(),
  }).optional(),
});
type BootstrapJson = z.infer<typeof bootstrapJson>;

function str(map: Record<string, unknown> | undefined, key: string): string {
  const v = map?.[key];
  return typeof v === 'string' ? v : '';
}

/** Same string as istioctl's getUserAgentVersionInfo (zero values print as 0.0.0). */
function envoyVersion(node: NonNullable<NonNullable<BootstrapJson['bootstrap']>['node']>): string {
  const build = node.userAgentBuildVersion;
  const v = build?.version;
  let out = `${v?.majorNumber ?? 0}.${v?.minorNumber ?? 0}.${v?.patch ?? 0}`;
  const md = build?.metadata;
  if (str(md, 'build.label')) out += `-${str(md, 'build.label')}`;
  for (const key of ['revision.status', 'build.type', 'ssl.version']) if (str(md, key)) out += `/${str(md, key)}`;
  return out;
}

function toInfo(parsed: BootstrapJson): BootstrapInfo {
  const node = parsed.bootstrap?.node ?? {};
  const md = node.metadata;
  const sha = str(md, 'ISTIO_PROXY_SHA');
  const colon = sha.indexOf(':');
  return {
    istioVersion: str(md, 'ISTIO_VERSION'),
    istioProxyVersion: colon === -1 ? sha : sha.slice(colon + 1),
    envoyVersion: envoyVersion(node),
    clusterId: str(md, 'CLUSTER_ID'),
    namespace: str(md, 'NAMESPACE'),
    meshId: str(md, 'MESH_ID'),
  };
}

const SECTION = 'BootstrapConfigDump';

export function bootstrapFromDump(dump: ConfigDump): Result<BootstrapInfo, ParseFailure> | undefined {
  return fromDump(dump, SECTION, fromSection);
}

/** The bootstrap section is small (one node, the static resources): it is parsed whole. */
function fromSection(raw: JsonValue): Result<BootstrapInfo, ParseFailure> {
  const parsed = readAs(bootstrapJson, raw.parse());
  if (!parsed.success) return failure(`bootstrap JSON has an unexpected shape ${describeIssue(parsed.error)}`);
  if (!parsed.data.bootstrap) return failure('bootstrap JSON has no "bootstrap" object.');
  return ok(toInfo(parsed.data));
}

/** `istioctl proxy-config bootstrap POD -o json` (a BootstrapConfigDump, every version) or a full config dump. */
export function parseBootstrapJson(stdout: JsonOutput): Result<BootstrapInfo, ParseFailure> {
  return readJsonOutput(stdout, 'istioctl proxy-config bootstrap -o json', SECTION, fromSection, fromSection);
}

const SHORT_KEYS: Readonly<Record<string, 'istioVersion' | 'istioProxyVersion' | 'envoyVersion'>> = {
  'Istio Version': 'istioVersion',
  'Istio Proxy Version': 'istioProxyVersion',
  'Envoy Version': 'envoyVersion',
};

/** `proxy-config bootstrap -o short` and the first block of `proxy-config all`: `Istio Version:  1.10.0` lines. */
export function parseBootstrapShort(text: string): Result<BootstrapInfo, ParseFailure> {
  const info = { istioVersion: '', istioProxyVersion: '', envoyVersion: '', clusterId: '', namespace: '', meshId: '' };
  let seen = 0;
  for (const line of textLines(text)) {
    const match = /^([A-Za-z ]+):\s+(.*)$/.exec(line);
    const key = match ? SHORT_KEYS[match[1] ?? ''] : undefined;
    if (!match || !key) {
      if (line.trim() !== '') return failure(`unexpected line in bootstrap summary: ${JSON.stringify(line)}`);
      continue;
    }
    info[key] = (match[2] ?? '').trim();
    seen += 1;
  }
  if (seen === 0) return failure('bootstrap summary has no version lines.');
  return ok(info);
}
