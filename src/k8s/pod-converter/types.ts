// Minimal shapes of the Kubernetes objects the converter reads, and of the Dataplane it writes.

export type StringMap = Record<string, string>;

export interface OwnerReference {
  kind?: string;
  name: string;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: StringMap;
  annotations?: StringMap;
  ownerReferences?: OwnerReference[];
  deletionTimestamp?: string;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Container {
  name?: string;
  ports?: ContainerPort[];
}

export interface ContainerStatus {
  name?: string;
  ready?: boolean;
}

export interface Pod {
  metadata: ObjectMeta;
  spec?: { containers?: Container[]; serviceAccountName?: string; nodeName?: string };
  status?: { podIP?: string; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
  targetPort?: number | string;
}

export interface Service {
  metadata: ObjectMeta;
  spec?: { type?: string; clusterIP?: string; selector?: StringMap; ports?: ServicePort[] };
}

export interface ReplicaSet {
  metadata: ObjectMeta;
}

export interface Inbound {
  port: number;
  name?: string;
  tags: StringMap;
  state?: 'NotReady' | 'Ignored';
  health: { ready?: boolean };
  protocol: string;
}

export interface Outbound {
  address: string;
  port: number;
  tags: StringMap;
}

export interface TransparentProxying {
  redirectPortInbound?: number;
  redirectPortOutbound?: number;
  directAccessServices?: string[];
  reachableServices?: string[];
  reachableBackends?: { refs?: ReachableBackendRef[] };
  ipFamilyMode?: 'DualStack' | 'IPv4';
}

export interface ReachableBackendRef {
  kind?: string;
  name?: string;
  namespace?: string;
  port?: number;
  labels?: StringMap;
}

export interface DataplaneSpec {
  networking: {
    address?: string;
    inbound?: Inbound[];
    outbound?: Outbound[];
    gateway?: { tags: StringMap };
    transparentProxying?: TransparentProxying;
    admin?: { port?: number };
  };
  metrics?: { type: 'prometheus'; conf: Record<string, unknown> };
}

/** A peer Dataplane as stored in Kubernetes (only what outbound generation reads). */
export interface K8sDataplane {
  mesh?: string;
  metadata?: ObjectMeta;
  spec?: {
    networking?: {
      address?: string;
      inbound?: { address?: string; port?: number; state?: string; tags?: StringMap }[];
    };
  };
}

export interface ConvertedDataplane {
  mesh: string;
  metadata: { labels: StringMap };
  spec: DataplaneSpec;
}
