import { ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { parseBootstrapShort } from './bootstrap.ts';
import type { BootstrapInfo } from './bootstrap.ts';
import { parseClustersTable } from './clusters.ts';
import type { ClusterInfo } from './clusters.ts';
import { failure, textLines } from './common.ts';
import { parseEndpointsTable } from './endpoints.ts';
import type { EndpointInfo } from './endpoints.ts';
import { parseListenersTable } from './listeners.ts';
import type { ListenerTableRow } from './listeners.ts';
import { parseRoutesTable } from './routes.ts';
import type { RouteTableRow } from './routes.ts';
import { parseSecretTable } from './secret.ts';
import type { SecretCertificate } from './secret.ts';

/** The text form of `istioctl proxy-config all POD` (1.21+), with or without `--with-headers`. */
export interface AllSummaryText {
  readonly bootstrap?: BootstrapInfo;
  readonly clusters: readonly ClusterInfo[];
  readonly listeners: readonly ListenerTableRow[];
  readonly routes: readonly RouteTableRow[];
  readonly secrets: readonly SecretCertificate[];
  readonly endpoints: readonly EndpointInfo[];
}

/** Blocks are separated by blank lines; `------ CLUSTER INFO ------` headers are decoration and skipped. */
function blocks(text: string): string[][] {
  const out: string[][] = [];
  let block: string[] = [];
  for (const line of textLines(text)) {
    if (/^-{3,} .* -{3,}$/.test(line.trim())) continue;
    if (line.trim() === '') {
      if (block.length > 0) out.push(block);
      block = [];
    } else {
      block.push(line);
    }
  }
  if (block.length > 0) out.push(block);
  return out;
}

export function parseAllSummary(text: string): Result<AllSummaryText, ParseFailure> {
  let bootstrap: BootstrapInfo | undefined;
  const result = {
    clusters: [] as ClusterInfo[],
    listeners: [] as ListenerTableRow[],
    routes: [] as RouteTableRow[],
    secrets: [] as SecretCertificate[],
    endpoints: [] as EndpointInfo[],
  };
  for (const block of blocks(text)) {
    const body = block.join('\n');
    const header = block[0] ?? '';
    // Each section is recognised by its table header, so a missing section (no secrets, no routes) is harmless.
    if (/^Istio Version:|^Istio Proxy Version:|^Envoy Version:/.test(header)) {
      const parsed = parseBootstrapShort(body);
      if (!parsed.ok) return parsed;
      bootstrap = parsed.value;
    } else if (/\bSERVICE FQDN\b/.test(header)) {
      const parsed = parseClustersTable(body);
      if (!parsed.ok) return parsed;
      result.clusters.push(...parsed.value);
    } else if (/\bADDRESSES?\b/.test(header) && /\bDESTINATION\b/.test(header)) {
      const parsed = parseListenersTable(body);
      if (!parsed.ok) return parsed;
      result.listeners.push(...parsed.value);
    } else if (/\bVHOST NAME\b/.test(header)) {
      const parsed = parseRoutesTable(body);
      if (!parsed.ok) return parsed;
      result.routes.push(...parsed.value);
    } else if (/^RESOURCE NAME\b/.test(header) || header.trim() === 'No active or warming secrets found.') {
      const parsed = parseSecretTable(body);
      if (!parsed.ok) return parsed;
      result.secrets.push(...parsed.value);
    } else if (/\bSTATUS\b/.test(header) && /\bCLUSTER\b/.test(header)) {
      const parsed = parseEndpointsTable(body);
      if (!parsed.ok) return parsed;
      result.endpoints.push(...parsed.value);
    } else {
      return failure(`unrecognised section in proxy-config all output: ${JSON.stringify(header.slice(0, 80))}`);
    }
  }
  return ok({ ...(bootstrap ? { bootstrap } : {}), ...result });
}
