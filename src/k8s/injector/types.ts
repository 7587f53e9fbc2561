// Plain-object Kubernetes shapes, only as precise as the injector needs.
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  [key: string]: Json | undefined;
}

export interface Container {
  name: string;
  image?: string;
  volumeMounts?: VolumeMount[];
  restartPolicy?: string;
  [key: string]: Json | undefined;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { [key: string]: Json | undefined }[];
  [key: string]: Json | undefined;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: Json | undefined;
  };
  spec: PodSpec;
  [key: string]: Json | undefined;
}
