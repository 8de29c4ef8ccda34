import type { AppConfig, ClusterConfig } from './config.ts';
import type { InFlight } from './in-flight.ts';
import type { Istioctl } from './istioctl/istioctl.ts';
import type { KubeFor } from './kube/clients.ts';
import type { StateStore } from './kube/state-store.ts';
import type { ApprovalCards } from './mesh/canary/cards.ts';
import type { Logger } from './log.ts';
import { err, ok, type Result } from './result.ts';
import type { SlackMessage } from './slack/blocks.ts';
import type { ThreadDetail } from './slack/thread-or-file.ts';

/** Who may run a command; checked in one place (src/access.ts) for Slack commands and buttons. */
export type Role = 'reader' | 'operator' | 'approver';

/** Everything a command needs from the outside world, passed in so each layer can be tested alone. */
export interface CommandDeps {
  readonly config: Pick<AppConfig, 'clusters' | 'access' | 'approvals' | 'digests' | 'certificates' | 'podNamespace'>;
  readonly istioctl: Istioctl;
  readonly kubeFor: KubeFor;
  /** mesh-bot's own state (ConfigMaps in its namespace, in the default cluster). */
  readonly state: () => Result<StateStore, { readonly message: string }>;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
  /** Posts and updates approval cards; only the Slack surface has it (the terminal never asks for approval). */
  readonly cards?: ApprovalCards;
  /** Shares identical reads still running between concurrent commands; without it every command reads alone. */
  readonly inFlight?: InFlight;
}

/** Who ran the command, from where. The terminal has no identity and never changes the cluster. */
export interface Invocation {
  readonly surface: 'slack' | 'terminal';
  readonly user: string | undefined;
  readonly channel: string | undefined;
}

export const TERMINAL: Invocation = { surface: 'terminal', user: undefined, channel: undefined };

/** Fields every command's JSON output carries (DESIGN.md section 5). */
export interface Envelope {
  readonly command: string;
  readonly cluster: string;
  /** When the data was read (for cached istioctl answers: when that run started). */
  readonly asOf: Date;
  readonly errors: readonly string[];
}

/** What a command produced, rendered three ways by pure functions. */
export interface CommandResult {
  readonly envelope: Envelope;
  toJson(): Record<string, unknown>;
  toText(): string;
  toSlack(): SlackMessage;
  /** True when the command could not read anything at all: the terminal prints only the errors and exits 1. */
  readonly failed: boolean;
  /**
   * True when a part the verdict depends on could not be read: the terminal prints what was read and exits 1,
   * so a script never takes a half-read answer for a good one.
   */
  readonly incomplete?: boolean;
  /** Only the person who ran it sees the answer (refusals, notices, confirmations); default: posted in the channel. */
  readonly ephemeral?: boolean;
  /** The command declined to act (a refusal, its reason in `errors`): audited as refused, not as an error. */
  readonly refused?: boolean;
  /** Runs once the answer is in the channel (a digest becomes the next baseline only if people saw it). */
  readonly afterPost?: () => Promise<void>;
  /**
   * Post the answer as the bot's own channel message (`chat.postMessage`) instead of through `response_url`:
   * it can be threaded and updated and does not expire (DESIGN.md §6, digests).
   */
  readonly channelMessage?: boolean;
  /**
   * Detail the Slack answer leaves out, posted in its thread (or as a file when long) once a `channelMessage`
   * answer is in the channel (DESIGN.md §6: long detail goes into a thread reply or an uploaded file).
   */
  readonly threadDetail?: ThreadDetail;
}

export interface CommandModule<Args> {
  readonly name: string;
  readonly aliases: readonly string[];
  /** Usage line shown with every input error, e.g. `status [-n NAMESPACE] [--cluster NAME]`. */
  readonly usage: string;
  /** The usage line of the form these tokens ask for, for a command with several (canary's actions). */
  readonly usageFor?: (tokens: readonly string[]) => string | undefined;
  readonly summary: string;
  /** The role of the command as listed by help; `roleFor` refines it per arguments (canary status vs promote). */
  readonly role: Role;
  readonly roleFor?: (args: Args) => Role;
  readonly labelFor?: (args: Args) => string;
  parse(tokens: readonly string[]): Result<Args, string>;
  execute(args: Args, target: ClusterConfig, deps: CommandDeps, invocation: Invocation): Promise<CommandResult>;
}

/** A command with its argument type erased, so modules of different argument types share one registry. */
export interface Command {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly usage: string;
  readonly summary: string;
  readonly role: Role;
  /** The usage line an input error shows: that of the form the tokens ask for, else `usage`. */
  usageFor(tokens: readonly string[]): string;
  prepare(tokens: readonly string[]): Result<PreparedCommand, string>;
}

export interface PreparedCommand {
  /** `--cluster` as typed, undefined = default cluster. */
  readonly clusterName: string | undefined;
  /** Who may run it with these arguments. */
  readonly role: Role;
  /** A short name for audit lines and the "Running …" notice, e.g. `canary promote`. */
  readonly label: string;
  execute(target: ClusterConfig, deps: CommandDeps, invocation: Invocation): Promise<CommandResult>;
}

export function defineCommand<Args extends { readonly cluster?: string | undefined }>(module: CommandModule<Args>): Command {
  return {
    name: module.name,
    aliases: module.aliases,
    usage: module.usage,
    summary: module.summary,
    role: module.role,
    usageFor: (tokens) => module.usageFor?.(tokens) ?? module.usage,
    prepare(tokens) {
      const parsed = module.parse(tokens);
      if (!parsed.ok) return parsed;
      const args = parsed.value;
      return ok({
        clusterName: args.cluster,
        role: module.roleFor?.(args) ?? module.role,
        label: module.labelFor?.(args) ?? module.name,
        execute: (target, deps, invocation) => module.execute(args, target, deps, invocation),
      });
    },
  };
}

export function resolveCluster(config: Pick<AppConfig, 'clusters'>, name: string | undefined): Result<ClusterConfig, string> {
  if (name === undefined) {
    const fallback = config.clusters.find((cluster) => cluster.default) ?? config.clusters[0];
    return fallback ? ok(fallback) : err('no cluster is configured');
  }
  const found = config.clusters.find((cluster) => cluster.name === name);
  if (found) return ok(found);
  return err(`unknown cluster "${name}"; configured: ${config.clusters.map((cluster) => cluster.name).join(', ')}`);
}

/** `HH:MM:SS` in UTC, the "as of" stamp on every answer. */
export function clockTime(date: Date): string {
  return `${date.toISOString().slice(11, 19)} UTC`;
}
