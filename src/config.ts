import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { cronProblem } from './schedule/scheduler.ts';
import { namespaceName, slackChannelId, slackUserId, slackUsergroupId } from './names.ts';
import { err, ok, type Result } from './result.ts';

/** A setting that stops the process at start; `message` is the one line printed. */
export interface ConfigError {
  readonly message: string;
}

/**
 * The longest wait a Node.js timer holds (2^31 - 1 ms, about 24.8 days); a longer one fires after 1 ms, so an
 * istioctl timeout of 30d would fail every run at once as "did not finish".
 */
const LONGEST_DURATION_MS = 2 ** 31 - 1;

const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((text, ctx) => {
      // YAML reads `ttl: 90` as a number: seconds or minutes? Ask for the unit rather than guess.
      if (typeof text === 'number') {
        ctx.addIssue({ code: 'custom', message: `${text} has no unit; write it with one, such as ${text}s or ${text}m` });
        return z.NEVER;
      }
      const ms = parseDuration(text);
      if (ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 30s, 10m or 1h` });
        return z.NEVER;
      }
      if (ms > LONGEST_DURATION_MS) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is longer than 24 days, the longest mesh-bot can wait; use 24d or less` });
        return z.NEVER;
      }
      return ms;
    });

const clusterName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/i, 'must be letters, digits, "-", "_" or "." (it is typed after --cluster)');

/** host:port, the host a DNS name, an IPv4 address or a bracketed IPv6 address; it becomes one istioctl argument. */
const xdsAddress = z
  .string()
  .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?|\[[0-9a-f:.]+\]):([1-9][0-9]{0,4})$/i, 'must be host:port of istiod\'s xDS port, such as istiod.example.com:15012')
  .refine((address) => Number(address.slice(address.lastIndexOf(':') + 1)) <= 65535, 'the port must be at most 65535');

/** Five-field equivalents of the cron nicknames, at midnight in the digest's time zone as cron reads them. */
const CRON_NICKNAMES: Readonly<Record<string, string>> = { '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *' };

/**
 * Digest schedules are five-field cron (README "Digests"). Nicknames were half taken: "@daily" failed the length check
 * while "@midnight" and "@annually" passed it and ran. All are refused alike, with the five fields to write instead.
 */
function nicknameProblem(schedule: string): string {
  const fields = CRON_NICKNAMES[schedule.trim().toLowerCase()];
  return fields === undefined
    ? 'must be a five-field cron expression like "0 9 * * 1-5" (minute hour day-of-month month day-of-week)'
    : `must be five cron fields; for ${schedule.trim()} write "${fields}", or pick the hour, such as "0 9 * * *"`;
}

/** `channels: C0123OPS` (one id, not a list) is a common slip; say how to write it instead of "expected array". */
const listOf = (example: string) => (issue: { readonly input?: unknown }) =>
  `must be a list, such as [${typeof issue.input === 'string' && /^[\w.-]{1,40}$/.test(issue.input) ? issue.input : example}]`;

/** A list written twice over counts once: `[U0ALICE, U0ALICE]` is one approver, for the four-eyes check too. */
const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

const principals = z
  .object({
    users: z.array(slackUserId, { error: listOf('U0123ABCD') }).default([]).transform(unique),
    usergroups: z.array(slackUsergroupId, { error: listOf('S0123ABCD') }).default([]).transform(unique),
  })
  .strict()
  .prefault({});

const clusterSchema = z
  .object({
    name: clusterName,
    /** kubeconfig context; absent = the current context. */
    context: z.string().min(1).optional(),
    default: z.boolean().default(false),
    /** Namespace where istiod runs (istioctl `-i`); mesh-bot extension, default istio-system. */
    istioNamespace: namespaceName.default('istio-system'),
    /** Namespace of commands given no `-n` (analyze, proxy-config, canary); mesh-bot extension, default `default`. */
    defaultNamespace: namespaceName.default('default'),
    /**
     * mesh-bot extension: host:port of an external or central istiod's xDS port (istioctl `--xds-address`), for meshes
     * whose istiod does not run as a pod of this cluster; absent = istioctl finds the istiod pods and port-forwards.
     */
    xdsAddress: xdsAddress.optional(),
  })
  .strict();

const fileSchema = z
  .object({
    clusters: z
      .array(clusterSchema)
      .min(1)
      .optional()
      .superRefine((clusters, ctx) => {
        if (!clusters) return;
        const names = new Set<string>();
        for (const [index, cluster] of clusters.entries()) {
          if (names.has(cluster.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `cluster "${cluster.name}" is listed twice` });
          names.add(cluster.name);
        }
        if (clusters.filter((cluster) => cluster.default).length > 1) ctx.addIssue({ code: 'custom', message: 'only one cluster may be default: true' });
      }),
    access: z
      .object({
        channels: z.array(slackChannelId, { error: listOf('C0123ABCD') }).default([]),
        operators: principals,
        approvers: principals,
      })
      .strict()
      .prefault({}),
    approvals: z
      .object({
        ttl: duration('30m'),
        channel: slackChannelId.optional(),
        /** mesh-bot extension: how long and how often to check that proxies picked up a weight change. */
        propagationTimeout: duration('60s'),
        propagationInterval: duration('3s'),
      })
      .strict()
      .prefault({}),
    digests: z
      .array(
        z
          .object({
            channel: slackChannelId,
            schedule: z
              .string()
              .refine((schedule) => !schedule.trim().startsWith('@'), { error: (issue) => nicknameProblem(String(issue.input)) })
              .min(9, 'must be a cron expression like "0 9 * * 1-5"'),
            timezone: z.string().default('UTC'),
            cluster: clusterName.optional(),
            namespaces: z.array(namespaceName, { error: listOf('checkout') }).optional(),
          })
          .strict(),
      )
      .default([]),
    /**
     * mesh-bot extension: when a root or intermediate CA counts as expiring, and when the sidecars' agents rotate
     * their workload certificates (src/mesh/certificate-health.ts). The ratio's bounds: below 0.15 the rotation
     * would fall after the 10 % left that is critical anyway (plus the 5 % margin), and 1 would rotate at issue.
     */
    certificates: z
      .object({
        caWarnDays: z.number().int().min(1).default(90),
        caCriticalDays: z.number().int().min(0).default(14),
        workloadGraceRatio: z
          .number()
          .gt(0.15, 'must be more than 0.15: with less than 10 % of its lifetime left a certificate is critical whatever the ratio')
          .lt(1, 'must be less than 1 (the share of its lifetime a certificate has left when it is rotated, as SECRET_GRACE_PERIOD_RATIO)')
          .default(0.5),
      })
      .strict()
      .refine((value) => value.caCriticalDays <= value.caWarnDays, { message: 'caCriticalDays must not exceed caWarnDays', path: ['caCriticalDays'] })
      .prefault({}),
    istioctl: z
      .object({
        timeout: duration('60s'),
        cacheTtl: duration('10s'),
        concurrency: z.number().int().min(1).max(32).default(4),
        maxOutput: z.number().int().min(1024).default(256 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type FileConfig = z.output<typeof fileSchema>;

export interface ClusterConfig {
  readonly name: string;
  readonly context: string | undefined;
  readonly default: boolean;
  readonly istioNamespace: string;
  readonly defaultNamespace: string;
  /** istioctl `--xds-address` for proxy-status; undefined = istiod pods found through the Kubernetes API. */
  readonly xdsAddress?: string | undefined;
}

export interface SlackSettings {
  readonly botToken: string | undefined;
  readonly appToken: string | undefined;
  readonly signingSecret: string | undefined;
  readonly apiUrl: string | undefined;
}

export interface AppConfig {
  readonly slack: SlackSettings;
  readonly port: number;
  readonly istioctlPath: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly podName: string;
  readonly podNamespace: string | undefined;
  /** Settings that work but probably not as intended; logged once at start, one sentence each. */
  readonly notices: readonly string[];
  readonly clusters: readonly ClusterConfig[];
  readonly access: FileConfig['access'];
  readonly approvals: FileConfig['approvals'];
  readonly digests: FileConfig['digests'];
  readonly certificates: FileConfig['certificates'];
  readonly istioctl: FileConfig['istioctl'];
}

/**
 * A credential read from a file keeps the file's trailing newline (`kubectl create secret --from-file`, `echo >`).
 * Slack's never contain whitespace: a signing secret with it would verify no request, silently, so it is refused
 * at start with the cause named.
 */
const credential = () => z.string().regex(/^\S*$/, 'contains whitespace (a trailing newline from the file or Secret it was read from?); remove it');

/**
 * A word-like setting with whitespace around it (`LOG_LEVEL: |` in Helm values ends in a newline) is named as such:
 * "expected one of debug|info|warn|error" for "debug\n" sends people looking for a typo that is not there.
 */
const bare = () => z.string().regex(/^\S*$/, 'has whitespace in it (a trailing newline from a file or a Helm "|" value?); remove it');

const envSchema = z.object({
  SLACK_BOT_TOKEN: credential()
    // Token rotation's tokens expire after 12 hours and mesh-bot does not refresh them; "must start with xoxb-" would
    // puzzle whoever pasted one (it does contain xoxb-).
    .refine((token) => !token.startsWith('xoxe.'), 'is a rotating token (xoxe.…), which expires after 12 hours; turn token rotation off for the app and use its Bot User OAuth Token (xoxb-…)')
    .regex(/^xoxb-\S+$/, 'must be a bot token starting with xoxb-')
    .optional(),
  SLACK_APP_TOKEN: credential().regex(/^xapp-\S+$/, 'must be an app-level token starting with xapp-').optional(),
  SLACK_SIGNING_SECRET: credential()
    .min(8, 'is too short to be a Slack signing secret')
    // A token pasted here would verify no request, silently: every slash command and click would get a 401.
    .refine((value) => !/^(xox[a-z]|xapp)-/.test(value), 'holds a Slack token, not the signing secret; copy the Signing Secret from the app\'s Basic Information → App Credentials')
    .optional(),
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://slack.com/api/' })
    // fetch refuses such a URL and quotes it, password included, in its error.
    .refine((value) => !/^[a-z]+:\/\/[^/?#]*@/i.test(value), 'holds a user name or password, which mesh-bot cannot send to Slack; remove them from the URL')
    .transform((url) => (url.endsWith('/') ? url : `${url}/`))
    .optional(),
  // Digits only: Number() would read "  " as 0 (a random port, where no probe finds the bot) and "0x1F90" as 8080.
  PORT: z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, 'must be a port number from 0 to 65535, such as 3000')
    .transform(Number)
    .refine((port) => port <= 65535, 'must be a port number from 0 to 65535, such as 3000')
    .default(3000),
  ISTIOCTL: z.string().min(1).default('istioctl'),
  MESH_BOT_CONFIG: z.string().min(1).optional(),
  LOG_LEVEL: bare().pipe(z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be debug, info, warn or error (pino\'s levels; info when unset)' })).default('info'),
  POD_NAME: z.string().min(1).optional(),
  POD_NAMESPACE: bare().pipe(namespaceName).optional(),
});

function describeIssue(prefix: string, issue: z.core.$ZodIssue): string {
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  const where = `${prefix}${path}`.replace(/^\./, '');
  return where === '' ? issue.message : `${where}: ${issue.message}`;
}

/** What to do about a config file that cannot be read, by the error's code. */
function unreadableHint(code: string, path: string): string {
  // A ConfigMap is mounted as a directory of files; pointing at the mount instead of the file inside is common.
  if (code === 'EISDIR') return `That is a directory: set MESH_BOT_CONFIG to the file in it, such as ${path.replace(/\/+$/, '')}/config.yaml.`;
  if (code === 'EACCES') return 'mesh-bot\'s user may not read it: make the file readable for it (a ConfigMap volume\'s defaultMode, or chmod).';
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'Check the path, or unset MESH_BOT_CONFIG to run without a config file.';
  return 'Check that the file exists and mesh-bot may read it.';
}

/** The YAML parser's complaint as one line; "please use YAML.parseAllDocuments()" speaks to programmers, not admins. */
function yamlProblem(cause: unknown): string {
  const first = (cause instanceof Error ? cause.message.split('\n')[0] : undefined)?.replace(/:$/, '') ?? 'invalid YAML';
  if ((cause as { code?: unknown }).code === 'MULTIPLE_DOCS') {
    const where = / at line \d+, column \d+$/.exec(first)?.[0] ?? '';
    return `not valid YAML: the file holds several YAML documents (separated by ---)${where}; mesh-bot reads one, so put every key into a single document`;
  }
  return `not valid YAML: ${first}`;
}

/** The file as a whole is not a mapping: a list, a lone string or number. */
function notAMapping(raw: unknown): string | null {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return null;
  const found = Array.isArray(raw) ? 'a list' : `a single ${typeof raw}`;
  return `the file holds ${found}, not keys; it must be a YAML mapping with keys such as clusters:, access:, approvals: and digests:`;
}

/** Empty strings in the environment mean "not set" (a blank `SLACK_APP_TOKEN=` must not switch modes). */
function presentEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

export async function loadConfig(env: NodeJS.ProcessEnv, readText: (path: string) => Promise<string> = (path) => readFile(path, 'utf8')): Promise<Result<AppConfig, ConfigError>> {
  const envResult = envSchema.safeParse(presentEnv(env));
  if (!envResult.success) {
    const first = envResult.error.issues[0];
    return err({ message: first ? describeIssue('', first) : 'invalid environment' });
  }
  const vars = envResult.data;

  let file: FileConfig;
  if (vars.MESH_BOT_CONFIG === undefined) {
    file = fileSchema.parse({});
  } else {
    let text: string;
    try {
      text = await readText(vars.MESH_BOT_CONFIG);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
      return err({ message: `MESH_BOT_CONFIG: cannot read ${vars.MESH_BOT_CONFIG} (${code}). ${unreadableHint(code, vars.MESH_BOT_CONFIG)}` });
    }
    let raw: unknown;
    try {
      // Merge keys (`<<: *defaults`) as Kubernetes manifests use them; YAML 1.2 alone would read "<<" as a key.
      raw = parseYaml(text, { merge: true }) ?? {};
    } catch (cause) {
      return err({ message: `MESH_BOT_CONFIG ${vars.MESH_BOT_CONFIG}: ${yamlProblem(cause)}` });
    }
    const shape = notAMapping(raw);
    if (shape) return err({ message: `MESH_BOT_CONFIG ${vars.MESH_BOT_CONFIG}: ${shape}` });
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return err({ message: `MESH_BOT_CONFIG ${vars.MESH_BOT_CONFIG}: ${first ? describeIssue('', first) : 'invalid'}` });
    }
    file = parsed.data;
  }

  const clusters: ClusterConfig[] = file.clusters
    ? file.clusters.map((cluster, index, all) => ({
        name: cluster.name,
        context: cluster.context,
        istioNamespace: cluster.istioNamespace,
        defaultNamespace: cluster.defaultNamespace,
        ...(cluster.xdsAddress === undefined ? {} : { xdsAddress: cluster.xdsAddress }),
        default: cluster.default || (index === 0 && !all.some((other) => other.default)),
      }))
    : [{ name: 'default', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' }];

  for (const digest of file.digests) {
    if (digest.cluster !== undefined && !clusters.some((cluster) => cluster.name === digest.cluster)) {
      return err({ message: `MESH_BOT_CONFIG ${vars.MESH_BOT_CONFIG}: digests: cluster "${digest.cluster}" is not in clusters` });
    }
    if (!isValidTimeZone(digest.timezone)) {
      return err({ message: `MESH_BOT_CONFIG ${vars.MESH_BOT_CONFIG}: digests: timezone "${digest.timezone}" is not an IANA time zone like Europe/Berlin` });
    }
    const problem = cronProblem(digest.schedule, digest.timezone);
    if (problem) return err({ message: `MESH_BOT_CONFIG ${vars.MESH_BOT_CONFIG}: digests: schedule "${digest.schedule}" is not a cron expression (${problem})` });
  }
  const impossible = impossibleCombination(file);
  if (impossible) return err({ message: `MESH_BOT_CONFIG ${vars.MESH_BOT_CONFIG}: ${impossible}` });

  return ok({
    slack: {
      botToken: vars.SLACK_BOT_TOKEN,
      appToken: vars.SLACK_APP_TOKEN,
      signingSecret: vars.SLACK_SIGNING_SECRET,
      apiUrl: vars.SLACK_API_URL,
    },
    port: vars.PORT,
    istioctlPath: vars.ISTIOCTL,
    logLevel: vars.LOG_LEVEL,
    podName: vars.POD_NAME ?? os.hostname(),
    podNamespace: vars.POD_NAMESPACE,
    notices: configNotices(file),
    clusters,
    access: file.access,
    approvals: file.approvals,
    digests: file.digests,
    certificates: file.certificates,
    istioctl: file.istioctl,
  });
}

/** What serving Slack needs beyond loadConfig: checked separately so the terminal mode runs without tokens. */
export function checkSlackSettings(slack: SlackSettings): ConfigError | null {
  if (slack.botToken === undefined) return { message: 'SLACK_BOT_TOKEN: required to serve Slack (a bot token starting with xoxb-)' };
  if (slack.appToken === undefined && slack.signingSecret === undefined) {
    return { message: 'SLACK_SIGNING_SECRET: required in HTTP mode (set it, or set SLACK_APP_TOKEN to use Socket Mode)' };
  }
  return null;
}

/**
 * A combination of settings under which a feature can never work, as one sentence naming the setting; null when
 * there is none. Per-setting shape errors are the schema's; this is about settings that contradict each other.
 */
function impossibleCombination(file: FileConfig): string | null {
  const { operators, approvers } = file.access;
  // Four eyes: nobody approves their own request. One person who is both the only operator and the only approver
  // (no groups, whose members are only known at run time) can request promotions that no one may ever approve.
  const [onlyApprover] = approvers.users;
  if (approvers.users.length === 1 && approvers.usergroups.length === 0 && operators.usergroups.length === 0 && operators.users.length === 1 && operators.users[0] === onlyApprover) {
    return `access: ${onlyApprover} is the only operator and the only approver, so no promotion could ever be approved (nobody approves their own request). Add a second approver (a user or a user group) to access.approvers.`;
  }
  if (file.approvals.propagationInterval >= file.approvals.propagationTimeout) {
    return 'approvals.propagationInterval must be shorter than approvals.propagationTimeout, or the proxies would be checked at most once.';
  }
  return null;
}

/** Settings that are valid but leave a feature off or wider open than an admin may expect. */
function configNotices(file: FileConfig): string[] {
  const notices: string[] = [];
  const { channels, operators, approvers } = file.access;
  const count = (principals: FileConfig['access']['operators']) => principals.users.length + principals.usergroups.length;
  if (channels.length === 0) notices.push('access.channels is empty: every channel, private channel and direct message may use mesh-bot\'s read-only commands; list channel ids in access.channels to restrict it.');
  if (count(approvers) === 0) notices.push('access.approvers is empty: canary promotions are refused until approvers are configured.');
  if (count(operators) === 0) notices.push('access.operators is empty: nobody may request canary promotions or roll back.');
  const [onlyApprover] = approvers.users;
  if (approvers.users.length === 1 && approvers.usergroups.length === 0 && onlyApprover !== undefined && operators.users.includes(onlyApprover) && count(operators) > 1) {
    notices.push(`access.approvers has only ${onlyApprover}, who is also an operator: promotions ${onlyApprover} requests can never be approved (nobody approves their own).`);
  }
  return notices;
}

/** Channels the bot posts to on its own, where the buttons of its messages must work (src/access.ts). */
export function botPostedChannels(config: Pick<AppConfig, 'approvals' | 'digests'>): string[] {
  return [...new Set([...(config.approvals.channel === undefined ? [] : [config.approvals.channel]), ...config.digests.map((digest) => digest.channel)])];
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function defaultCluster(config: Pick<AppConfig, 'clusters'>): ClusterConfig {
  const found = config.clusters.find((cluster) => cluster.default) ?? config.clusters[0];
  if (!found) throw new Error('config invariant: at least one cluster');
  return found;
}
