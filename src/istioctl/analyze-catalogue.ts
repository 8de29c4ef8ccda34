import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { AnalyzeLevel } from './parsers/analyze.ts';
import type { IstioMinor } from './types.ts';

/** What the bot can say about an analyzer code without running istioctl. */
export interface CodeDescription {
  readonly code: string;
  readonly name: string;
  readonly level: AnalyzeLevel;
  readonly description: string;
  /** `https://istio.io/v1.28/docs/reference/config/analysis/ist0101/` (`latest` for master/unknown). */
  readonly docUrl: string;
}

export interface AnalyzeCatalogue {
  /** Which messages.yaml backs this catalogue (`v1.23-1.24`, `master-2026-08`). */
  readonly file: string;
  /** `v1.28` or `latest`: the istio.io docs version the links point at. */
  readonly docVersion: string;
  /** undefined for codes this istioctl version does not know. */
  describeCode(code: string): CodeDescription | undefined;
  /** The analysis page of any code, known or not (istioctl links every message to it). */
  docUrlFor(code: string): string;
}

// The messages.yaml of each istioctl release range, copied verbatim from istio/istio (see CODES.md in the corpus).
// Ranges are those where the file is byte-identical, so one file serves every minor in its range.
const FILES: readonly { readonly from: number; readonly to: number; readonly file: string }[] = [
  { from: 20, to: 20, file: 'v1.20' },
  { from: 21, to: 21, file: 'v1.21' },
  { from: 22, to: 22, file: 'v1.22' },
  { from: 23, to: 24, file: 'v1.23-1.24' },
  { from: 25, to: 25, file: 'v1.25' },
  { from: 26, to: 27, file: 'v1.26-1.27' },
  { from: 28, to: 29, file: 'v1.28-1.29' },
  { from: 30, to: 30, file: 'v1.30' },
];
const MASTER_FILE = 'master-2026-08';
const OLDEST = 20;

const messagesYaml = z.looseObject({
  messages: z.array(
    z.looseObject({
      name: z.string(),
      code: z.string(),
      level: z.enum(['Error', 'Warning', 'Info']),
      description: z.string(),
      template: z.string().optional(),
      args: z.array(z.looseObject({ name: z.string(), type: z.string().optional() })).optional(),
    }),
  ),
});
type CatalogueEntry = z.infer<typeof messagesYaml>['messages'][number];

// Parsed files, shared by every catalogue that uses them: a bot answering many /mesh analyze calls reads each once.
const loaded = new Map<string, ReadonlyMap<string, CatalogueEntry>>();

function load(file: string): ReadonlyMap<string, CatalogueEntry> {
  const cached = loaded.get(file);
  if (cached) return cached;
  const text = readFileSync(new URL(`./analyze-messages/${file}_messages.yaml`, import.meta.url), 'utf8');
  // The files ship with the product; a malformed one is a packaging bug, so failing loudly is right here.
  const parsed = messagesYaml.parse(parseYaml(text));
  const entries = new Map(parsed.messages.map((m) => [m.code.toUpperCase(), m] as const));
  loaded.set(file, entries);
  return entries;
}

function pick(minor: IstioMinor | null): { file: string; docVersion: string } {
  if (minor === null || minor.major !== 1) return { file: MASTER_FILE, docVersion: 'latest' };
  const range = FILES.find((f) => minor.minor >= f.from && minor.minor <= f.to);
  if (range) return { file: range.file, docVersion: `v1.${minor.minor}` };
  // Older than the oldest supported release: its codes are a subset of 1.20's, and its docs still exist.
  if (minor.minor < OLDEST) return { file: FILES[0]?.file ?? MASTER_FILE, docVersion: `v1.${minor.minor}` };
  return { file: MASTER_FILE, docVersion: 'latest' };
}

/** One message format of a code: Go fmt verbs (`%v`, `%q`, `%s`, `%d`) and the names and Go types of their arguments. */
export interface MessageTemplate {
  readonly template: string;
  readonly args: readonly { readonly name: string; readonly type: string }[];
}

/** Every distinct template of `code` in any shipped release: a stored finding may come from another istioctl version. */
export function messageTemplates(code: string): readonly MessageTemplate[] {
  const seen = new Map<string, MessageTemplate>();
  for (const file of [...FILES.map((f) => f.file), MASTER_FILE]) {
    const entry = load(file).get(code.toUpperCase());
    if (entry?.template !== undefined && !seen.has(entry.template)) {
      seen.set(entry.template, { template: entry.template, args: (entry.args ?? []).map((arg) => ({ name: arg.name, type: arg.type ?? '' })) });
    }
  }
  return [...seen.values()];
}

/** The catalogue matching the istioctl client version; newer or unknown versions get master's. Files load on first use. */
export function catalogueFor(minor: IstioMinor | null): AnalyzeCatalogue {
  const { file, docVersion } = pick(minor);
  const docUrlFor = (code: string): string =>
    `https://istio.io/${docVersion}/docs/reference/config/analysis/${code.toLowerCase()}/`;
  return {
    file,
    docVersion,
    docUrlFor,
    describeCode(code: string): CodeDescription | undefined {
      const entry = load(file).get(code.toUpperCase());
      if (!entry) return undefined;
      return {
        code: entry.code,
        name: entry.name,
        level: entry.level,
        description: entry.description,
        docUrl: docUrlFor(entry.code),
      };
    },
  };
}
