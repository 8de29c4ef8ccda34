// One import point for the `istioctl proxy-config` parsers; each output family lives in proxy-config/.
export { parseAllSummary } from './proxy-config/all.ts';
export type { AllSummaryText } from './proxy-config/all.ts';
export { bootstrapFromDump, parseBootstrapJson, parseBootstrapShort } from './proxy-config/bootstrap.ts';
export type { BootstrapInfo } from './proxy-config/bootstrap.ts';
export { clustersFromDump, parseClusterName, parseClustersJson, parseClustersTable } from './proxy-config/clusters.ts';
export type { ClusterInfo } from './proxy-config/clusters.ts';
export { parseConfigDump, parseConfigPath } from './proxy-config/common.ts';
export type { ConfigDump, ConfigRef } from './proxy-config/common.ts';
export { endpointsFromDump, parseEndpointsJson, parseEndpointsTable } from './proxy-config/endpoints.ts';
export type { EndpointInfo } from './proxy-config/endpoints.ts';
export { listenersFromDump, parseListenersJson, parseListenersTable } from './proxy-config/listeners.ts';
export type { ListenerDirection, ListenerInfo, ListenerTableRow } from './proxy-config/listeners.ts';
export { parseLogLevels } from './proxy-config/log.ts';
export type { ProxyLogLevels } from './proxy-config/log.ts';
export { parseRoutesJson, parseRoutesTable, routesFromDump, shortenDomains } from './proxy-config/routes.ts';
export type { RouteEntry, RouteTableInfo, RouteTableRow, VirtualHostInfo } from './proxy-config/routes.ts';
export { parseSecretJson, parseSecretTable, secretsFromDump } from './proxy-config/secret.ts';
export type { SecretCertificate } from './proxy-config/secret.ts';
