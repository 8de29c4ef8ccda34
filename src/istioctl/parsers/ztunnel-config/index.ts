export { parseZtunnelAll, type ZtunnelAll } from './all.ts';
export { parseZtunnelCertificates, type ZtunnelCertificate } from './certificates.ts';
export { parseZtunnelConnections, type ZtunnelConnection } from './connections.ts';
export { parseZtunnelPolicies, type ZtunnelPolicy } from './policies.ts';
export { parseZtunnelServices, type ZtunnelService } from './services.ts';
export { parseZtunnelWorkloads, type ZtunnelWorkload } from './workloads.ts';
