import { err, ok, type Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { parseZtunnelCertificates, type ZtunnelCertificate } from './certificates.ts';
import { parseZtunnelConnections, type ZtunnelConnection } from './connections.ts';
import { parseZtunnelPolicies, type ZtunnelPolicy } from './policies.ts';
import { parseZtunnelServices, type ZtunnelService } from './services.ts';
import { parseZtunnelWorkloads, type ZtunnelWorkload } from './workloads.ts';

/** `ztunnel-config all`: every section the version prints; null for a section it does not print. */
export interface ZtunnelAll {
  readonly workloads: readonly ZtunnelWorkload[] | null;
  readonly services: readonly ZtunnelService[] | null;
  readonly policies: readonly ZtunnelPolicy[] | null;
  readonly certificates: readonly ZtunnelCertificate[] | null;
  /** 1.28+ only (1.22-1.27 `all` has no connections section). */
  readonly connections: readonly ZtunnelConnection[] | null;
}

/** 1.29+ `--with-headers` section titles: `------ WORKLOAD INFO ------`. */
const SECTION_TITLE = /^-+ [A-Z ]+ -+$/;

type Section = keyof ZtunnelAll;

/** Which table a section is, from its header line. */
function sectionOf(header: string): Section | null {
  if (/^CERTIFICATE NAME\b/.test(header)) return 'certificates';
  if (/^WORKLOAD\b/.test(header)) return 'connections';
  if (!/^NAMESPACE\b/.test(header)) return null;
  if (/\bPOLICY NAME\b/.test(header)) return 'policies';
  if (/\bSERVICE NAME\b/.test(header)) return 'services';
  if (/\bPOD NAME\b/.test(header)) return 'workloads';
  return null;
}

/**
 * The summary of `all` (istioctl/pkg/writer/ztunnel/configdump/all.go): the tables one after the other, a blank
 * line before each (and, with `--with-headers`, a title line). Sections are recognised by their headers.
 */
export function parseZtunnelAll(text: string): Result<ZtunnelAll, ParseFailure> {
  const blocks: string[][] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || SECTION_TITLE.test(line.trim())) {
      if (current.length > 0) blocks.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) blocks.push(current);
  const found: { -readonly [K in Section]: ZtunnelAll[K] } = { workloads: null, services: null, policies: null, certificates: null, connections: null };
  for (const block of blocks) {
    const section = sectionOf(block[0] ?? '');
    if (section === null) return err({ kind: 'parse', message: `Unexpected section in ztunnel-config all: "${(block[0] ?? '').trim().slice(0, 120)}".` });
    const body = block.join('\n');
    const parsed =
      section === 'workloads' ? parseZtunnelWorkloads(body)
      : section === 'services' ? parseZtunnelServices(body)
      : section === 'policies' ? parseZtunnelPolicies(body)
      : section === 'certificates' ? parseZtunnelCertificates(body)
      : parseZtunnelConnections(body);
    if (!parsed.ok) return parsed;
    (found as Record<Section, unknown>)[section] = parsed.value;
  }
  if (Object.values(found).every((value) => value === null)) return err({ kind: 'parse', message: 'The ztunnel-config all output has no table.' });
  return ok(found);
}
