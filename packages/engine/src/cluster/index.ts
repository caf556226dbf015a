export { Cluster, clusterOptionsSchema, defaultHostId, type ClusterOptions } from './cluster.ts';
export type { HostEntry } from './registry.ts';
export { DEFAULT_LEASE_MS } from './registry.ts';
