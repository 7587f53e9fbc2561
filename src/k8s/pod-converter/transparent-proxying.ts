import { parse as parseYaml } from 'yaml';
import type { PodAnnotations } from './annotations.js';
import type { ReachableBackendRef, TransparentProxying } from './types.js';

function reachableBackends(raw: string): { refs?: ReachableBackendRef[] } {
  let parsed: unknown;
  try {
    parsed = parseYaml(raw);
  } catch {
    throw new Error('cannot parse, kuma.io/reachable-backends has invalid format');
  }
  const refs = (parsed as { refs?: ReachableBackendRef[] } | null)?.refs;
  if (!Array.isArray(refs) || refs.length === 0) return {};
  return {
    refs: refs.map((ref) => {
      const out: ReachableBackendRef = {};
      if (ref.kind) out.kind = ref.kind;
      if (ref.name) out.name = ref.name;
      if (ref.namespace) out.namespace = ref.namespace;
      if (ref.port !== undefined && ref.port !== null) out.port = ref.port;
      if (ref.labels && Object.keys(ref.labels).length > 0) out.labels = ref.labels;
      return out;
    }),
  };
}

/** Transparent-proxy settings from the pod annotations; undefined when nothing is set. */
export function transparentProxyingFor(annotations: PodAnnotations): TransparentProxying | undefined {
  const tp: TransparentProxying = {};
  const configInAnnotation = !!annotations.string('traffic.kuma.io/transparent-proxy-config');
  const enabled = annotations.enabled('kuma.io/transparent-proxying') === true;

  if (configInAnnotation || enabled) {
    const direct = annotations.list('kuma.io/direct-access-services');
    if (direct) tp.directAccessServices = direct;
    const reachable = annotations.list('kuma.io/transparent-proxying-reachable-services');
    if (reachable) tp.reachableServices = reachable;
    const backends = annotations.string('kuma.io/reachable-backends');
    if (backends !== undefined) tp.reachableBackends = reachableBackends(backends);
  }

  if (enabled) {
    const inbound = annotations.uint32('kuma.io/transparent-proxying-inbound-port');
    if (inbound === undefined) throw new Error('transparent proxying inbound port has to be set in transparent mode');
    const outbound = annotations.uint32('kuma.io/transparent-proxying-outbound-port');
    if (outbound === undefined) throw new Error('transparent proxying outbound port has to be set in transparent mode');
    if (inbound !== 0) tp.redirectPortInbound = inbound;
    if (outbound !== 0) tp.redirectPortOutbound = outbound;
    const ipFamily = annotations.string('kuma.io/transparent-proxying-ip-family-mode') ?? 'dualstack';
    if (ipFamily === 'dualstack') tp.ipFamilyMode = 'DualStack';
    else if (ipFamily === 'ipv4') tp.ipFamilyMode = 'IPv4';
    else if (ipFamily !== '') throw new Error(`invalid ip family mode '${ipFamily}'`);
  }

  return Object.keys(tp).length > 0 ? tp : undefined;
}
