import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { inClusterPossible } from './kubeconfig-source.ts';

/** The first entry of each name, in file order: kubectl's rule for clusters, users and contexts several files define. */
function firstOfEachName<T extends { readonly name: string }>(lists: readonly (readonly T[])[]): T[] {
  const kept = new Map<string, T>();
  for (const list of lists) for (const item of list) if (!kept.has(item.name)) kept.set(item.name, item);
  return [...kept.values()];
}

/** A kubeconfig file that exists but cannot be read as one (not YAML, not a kubeconfig): its message names the file. */
export class KubeconfigFileError extends Error {}

/** One file, or an error naming it with the first line of the parser's complaint (the rest is an excerpt of the file). */
function loadFile(file: string): KubeConfig {
  const config = new KubeConfig();
  try {
    config.loadFromFile(file);
  } catch (cause) {
    const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]?.trim() ?? '';
    throw new KubeconfigFileError(`${file} cannot be read as a kubeconfig (${reason})`, { cause });
  }
  const files = tokenFiles(file);
  config.users = config.users.map((user) => withPluginBesideFile(withTokenFile(user, files), dirname(file)));
  return config;
}

/**
 * A credential plugin named by a relative path (`command: ./bin/get-token`) is beside the kubeconfig, as client-go
 * resolves it (only a command with a path separator; a bare name is looked up on PATH). client-node ran it from
 * mesh-bot's working directory: "is not found", while istioctl with the same kubeconfig ran it.
 */
function withPluginBesideFile(user: User, folder: string): User {
  const command: unknown = (user.exec as { command?: unknown } | undefined)?.command;
  if (typeof command !== 'string' || !command.includes('/') || isAbsolute(command)) return user;
  return { ...user, exec: { ...(user.exec as Record<string, unknown>), command: resolve(folder, command) } };
}

/**
 * Each user's token file as client-go reads it (`tokenFile`, relative to the kubeconfig's folder). client-node knows
 * only `token-file`, read once at load: a `tokenFile` user would call the API without a token, and a rotated one
 * (a projected ServiceAccount token) with the expired token, while istioctl, reading the same kubeconfig, works.
 */
function tokenFiles(file: string): ReadonlyMap<string, string> {
  const found = new Map<string, string>();
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch {
    return found;
  }
  const users = (raw as { users?: unknown } | null)?.users;
  for (const entry of Array.isArray(users) ? (users as unknown[]) : []) {
    const { name, user } = (entry ?? {}) as { name?: unknown; user?: Record<string, unknown> };
    const path = user?.['tokenFile'] ?? user?.['token-file'];
    if (typeof name === 'string' && typeof path === 'string' && path !== '' && !found.has(name)) found.set(name, resolve(dirname(file), path));
  }
  return found;
}

/** client-node's file authenticator reads the file again every minute, as client-go does; its token wins over `token`, as in client-go. */
function withTokenFile(user: User, files: ReadonlyMap<string, string>): User {
  const tokenFile = files.get(user.name);
  if (tokenFile === undefined || user.exec !== undefined || user.authProvider !== undefined) return user;
  const { token: _replaced, ...rest } = user;
  return { ...rest, authProvider: { name: 'tokenFile', config: { tokenFile } } };
}

/**
 * Loads the kubeconfig as kubectl and istioctl (client-go) do. A KUBECONFIG list (`a:b`) skips files that do not
 * exist, and the first file to set a value wins: current-context, and each cluster, user or context by name.
 * client-node's loadFromDefault instead stops at a missing file, throws on a name two files share ("admin" users
 * are common) and lets the last file's current-context win — so mesh-bot's own API reads would go to another
 * cluster than the istioctl it starts with the same KUBECONFIG. Without KUBECONFIG: ~/.kube/config, else the pod's
 * service account, as loadFromDefault does. A KUBECONFIG whose files all do not exist never falls back to
 * ~/.kube/config (kubectl does not): in a pod it gives way to the service account, as client-go does, and elsewhere
 * it is left to loadFromDefault, which refuses the missing file.
 */
export function loadKubeConfigAsKubectl(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): KubeConfig {
  const merged = new KubeConfig();
  const files = (env['KUBECONFIG'] ?? '').split(delimiter).filter((path) => path !== '' && exists(path));
  if (files.length === 0) {
    const home = join(homedir(), '.kube', 'config');
    if ((env['KUBECONFIG'] ?? '') === '' && exists(home)) return loadFile(home);
    if ((env['KUBECONFIG'] ?? '') !== '' && inClusterPossible(env, exists)) merged.loadFromCluster();
    else merged.loadFromDefault();
    return merged;
  }
  const loaded = files.map(loadFile);
  merged.loadFromOptions({
    clusters: firstOfEachName<Cluster>(loaded.map((config) => config.clusters)),
    users: firstOfEachName<User>(loaded.map((config) => config.users)),
    contexts: firstOfEachName<Context>(loaded.map((config) => config.contexts)),
    currentContext: loaded.find((config) => config.currentContext !== '')?.currentContext ?? '',
  });
  return merged;
}
