import { annotation } from './annotation-names.js';
import { AnnotationReader } from './annotation-reader.js';

// The transparent-proxy settings of one pod, read back from its (already injected) annotations.
export interface PodRedirect {
  uid: string;
  ipFamilyMode: string;
  redirectPortOutbound: number;
  excludeOutboundPorts: string;
  excludeOutboundIPs: string;
  excludeOutboundPortsForUids: string[];
  redirectInbound: boolean;
  redirectPortInbound: number;
  excludeInboundPorts: string;
  excludeInboundIPs: string;
  builtinDnsEnabled: boolean;
  builtinDnsPort: number;
  dropInvalidPackets: boolean;
  iptablesLogs: boolean;
}

export function podRedirectFromAnnotations(annotations: Record<string, string>): PodRedirect {
  const pod = new AnnotationReader(annotations);
  // A gateway pod receives traffic on its own ports, so inbound redirection is off.
  const gateway = pod.enabled(annotation.gateway);
  const forUids = pod.string(annotation.excludeOutboundPortsForUids);
  return {
    uid: pod.string(annotation.sidecarUid) ?? '',
    ipFamilyMode: pod.string(annotation.ipFamilyMode) ?? 'dualstack',
    redirectPortOutbound: pod.uint32(annotation.outboundPort).value,
    excludeOutboundPorts: pod.string(annotation.excludeOutboundPorts) ?? '',
    excludeOutboundIPs: cleanAddressList(pod.string(annotation.excludeOutboundIPs)),
    excludeOutboundPortsForUids: forUids === undefined ? [] : forUids.split(';'),
    redirectInbound: !(gateway.exists && gateway.value),
    redirectPortInbound: pod.uint32(annotation.inboundPort).value,
    excludeInboundPorts: inboundPortsToExclude(annotations),
    excludeInboundIPs: cleanAddressList(pod.string(annotation.excludeInboundIPs)),
    builtinDnsEnabled: pod.enabled(annotation.builtinDns).value,
    builtinDnsPort: pod.uint32('kuma.io/builtin-dns-port').value,
    dropInvalidPackets: strictBoolean(pod.string(annotation.dropInvalidPackets)),
    iptablesLogs: strictBoolean(pod.string(annotation.iptablesLogs)),
  };
}

// The probe proxy listens on the pod, so its port must bypass the inbound redirect.
function inboundPortsToExclude(annotations: Record<string, string>): string {
  const excluded = annotations[annotation.excludeInboundPorts] ?? '';
  const probeProxyPort = annotations[annotation.applicationProbeProxyPort] ?? '';
  if (probeProxyPort === '' || probeProxyPort === '0') return excluded;
  return excluded === '' ? probeProxyPort : `${excluded},${probeProxyPort}`;
}

function cleanAddressList(value: string | undefined): string {
  if (value === undefined) return '';
  return value.split(',').map((address) => address.trim()).filter((address) => address !== '').join(',');
}

// These two annotations take only true/false/yes/no; anything else counts as off.
function strictBoolean(value: string | undefined): boolean {
  return value === 'true' || value === 'yes';
}
