/** Service VIPs: allocation, persistence, DNS names. */
export { DEFAULT_VIP_CIDR, VipAllocator, VipExhaustedError, type VipAllocatorOptions, type VipLogger } from './allocator.js';
export { dnsRecordsFor, type DnsRecord } from './dns-records.js';
export { DEFAULT_DNS_DOMAIN, vipHostnames } from './hostnames.js';
export { vipConfigName } from './vip-config.js';
export type { VipTable } from './vip-table.js';
