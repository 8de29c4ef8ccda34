import { BlockList, isIP } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * Gives the current context's cluster the proxy that HTTPS_PROXY / HTTP_PROXY / NO_PROXY name for its server, unless
 * the kubeconfig names one (`proxy-url`). client-go (kubectl, istioctl) honours these variables through Go's
 * net/http; client-node's requests go through its own undici dispatcher, which ignores them, so a cluster reached
 * only through the company's proxy was "not reachable" for mesh-bot while istioctl read it.
 */
export function useEnvironmentProxy(config: KubeConfig, env: NodeJS.ProcessEnv): void {
  const current = config.getCurrentCluster();
  if (!current || current.proxyUrl) return;
  const proxy = proxyFor(current.server, env);
  if (proxy === undefined) return;
  config.clusters = config.clusters.map((cluster) => (cluster.name === current.name ? { ...cluster, proxyUrl: proxy } : cluster));
}

/** The first of the names that is set and not empty, as Go's httpproxy.FromEnvironment reads them (upper case first). */
function variable(env: NodeJS.ProcessEnv, ...names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** Go's golang.org/x/net/http/httpproxy rules: HTTPS_PROXY for https, HTTP_PROXY for http, NO_PROXY, never loopback. */
export function proxyFor(server: string, env: NodeJS.ProcessEnv): string | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return undefined;
  }
  const proxy = url.protocol === 'https:' ? variable(env, 'HTTPS_PROXY', 'https_proxy') : url.protocol === 'http:' ? variable(env, 'HTTP_PROXY', 'http_proxy') : undefined;
  if (proxy === undefined) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (host === 'localhost' || isLoopback(host)) return undefined;
  if (exempt(variable(env, 'NO_PROXY', 'no_proxy') ?? '', host, port)) return undefined;
  // Go reads a proxy written without a scheme ("proxy.corp:3128") as http.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

function isLoopback(host: string): boolean {
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Whether NO_PROXY exempts host:port: `*`, IPs and CIDRs, `domain` (and its subdomains), `.domain`/`*.domain` (subdomains), each optionally with `:port`. */
function exempt(noProxy: string, host: string, port: string): boolean {
  const family = isIP(host);
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      const [, network = '', bits = ''] = cidr;
      const networkFamily = isIP(network);
      if (networkFamily !== 0 && networkFamily === family) {
        const list = new BlockList();
        try {
          list.addSubnet(network, Number(bits), networkFamily === 4 ? 'ipv4' : 'ipv6');
        } catch {
          continue;
        }
        if (list.check(host, family === 4 ? 'ipv4' : 'ipv6')) return true;
      }
      continue;
    }
    const withPort = /^\[?([^\]]*?)\]?:(\d+)$/.exec(entry);
    const entryHost = withPort && isIP(entry) === 0 ? (withPort[1] ?? '') : entry.replace(/^\[|\]$/g, '');
    const entryPort = withPort && isIP(entry) === 0 ? withPort[2] : undefined;
    if (entryHost === '' || (entryPort !== undefined && entryPort !== port)) continue;
    if (isIP(entryHost) !== 0) {
      if (family !== 0 && entryHost === host) return true;
      continue;
    }
    const domain = entryHost.startsWith('*.') ? entryHost.slice(1) : entryHost;
    if (domain.startsWith('.') ? host.endsWith(domain) : host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}
