/**
 * One Kubernetes collection the store reads and writes: a kuma.io custom resource (through
 * CustomObjectsApi), or the Secrets / ConfigMaps of the control plane's namespace (through CoreV1Api).
 * Each Ferry kind maps to one endpoint; Secret and GlobalSecret share the Secrets endpoint.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesListObject, type V1DeleteOptions } from '@kubernetes/client-node';
import { KUMA_GROUP, KUMA_VERSION, type KubernetesKind } from '../kinds.js';
import type { ObjectKey } from './names.js';
import type { KubeObject } from './objects.js';

export interface Endpoint {
  /** Identifies the collection; also the informer's watch path. */
  readonly path: string;
  list(): Promise<KubernetesListObject<KubeObject>>;
  read(key: ObjectKey): Promise<KubeObject>;
  create(key: ObjectKey, body: KubeObject): Promise<KubeObject>;
  replace(key: ObjectKey, body: KubeObject): Promise<KubeObject>;
  /** With a resourceVersion, the apiserver refuses (409) to delete any other version. */
  remove(key: ObjectKey, resourceVersion?: string): Promise<void>;
}

function deleteOptions(resourceVersion: string | undefined): V1DeleteOptions | undefined {
  return resourceVersion === undefined ? undefined : { preconditions: { resourceVersion } };
}

function customResourceEndpoint(kc: KubeConfig, plural: string, namespaced: boolean): Endpoint {
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: KUMA_GROUP, version: KUMA_VERSION, plural };
  // Namespaced kinds are watched across all namespaces: Dataplanes live next to their pods.
  const path = `/apis/${KUMA_GROUP}/${KUMA_VERSION}/${plural}`;
  if (!namespaced) {
    return {
      path,
      list: () => api.listClusterCustomObject(base),
      read: (key) => api.getClusterCustomObject({ ...base, name: key.name }),
      create: (_key, body) => api.createClusterCustomObject({ ...base, body }),
      replace: (key, body) => api.replaceClusterCustomObject({ ...base, name: key.name, body }),
      remove: async (key, rv) => {
        await api.deleteClusterCustomObject({ ...base, name: key.name, body: deleteOptions(rv) });
      },
    };
  }
  const ns = (key: ObjectKey): string => key.namespace ?? '';
  return {
    path,
    list: () => api.listClusterCustomObject(base),
    read: (key) => api.getNamespacedCustomObject({ ...base, namespace: ns(key), name: key.name }),
    create: (key, body) => api.createNamespacedCustomObject({ ...base, namespace: ns(key), body }),
    replace: (key, body) => api.replaceNamespacedCustomObject({ ...base, namespace: ns(key), name: key.name, body }),
    remove: async (key, rv) => {
      await api.deleteNamespacedCustomObject({ ...base, namespace: ns(key), name: key.name, body: deleteOptions(rv) });
    },
  };
}

function secretEndpoint(kc: KubeConfig, namespace: string): Endpoint {
  const api = kc.makeApiClient(CoreV1Api);
  return {
    path: `/api/v1/namespaces/${namespace}/secrets`,
    list: () => api.listNamespacedSecret({ namespace }) as Promise<KubernetesListObject<KubeObject>>,
    read: (key) => api.readNamespacedSecret({ namespace, name: key.name }) as Promise<KubeObject>,
    create: (_key, body) => api.createNamespacedSecret({ namespace, body }) as Promise<KubeObject>,
    replace: (key, body) => api.replaceNamespacedSecret({ namespace, name: key.name, body }) as Promise<KubeObject>,
    remove: async (key, rv) => {
      await api.deleteNamespacedSecret({ namespace, name: key.name, body: deleteOptions(rv) });
    },
  };
}

function configMapEndpoint(kc: KubeConfig, namespace: string): Endpoint {
  const api = kc.makeApiClient(CoreV1Api);
  return {
    path: `/api/v1/namespaces/${namespace}/configmaps`,
    list: () => api.listNamespacedConfigMap({ namespace }) as Promise<KubernetesListObject<KubeObject>>,
    read: (key) => api.readNamespacedConfigMap({ namespace, name: key.name }) as Promise<KubeObject>,
    create: (_key, body) => api.createNamespacedConfigMap({ namespace, body }) as Promise<KubeObject>,
    replace: (key, body) => api.replaceNamespacedConfigMap({ namespace, name: key.name, body }) as Promise<KubeObject>,
    remove: async (key, rv) => {
      await api.deleteNamespacedConfigMap({ namespace, name: key.name, body: deleteOptions(rv) });
    },
  };
}

/** The endpoint of every kind, built once: kinds sharing a collection share the endpoint. */
export function endpointsFor(kc: KubeConfig, kinds: readonly KubernetesKind[], systemNamespace: string): Map<string, Endpoint> {
  const byType = new Map<string, Endpoint>();
  let secrets: Endpoint | undefined;
  let configMaps: Endpoint | undefined;
  for (const kind of kinds) {
    switch (kind.storage) {
      case 'crd':
        byType.set(kind.kind, customResourceEndpoint(kc, kind.plural, kind.namespaced));
        break;
      case 'secret':
        secrets ??= secretEndpoint(kc, systemNamespace);
        byType.set(kind.kind, secrets);
        break;
      case 'configmap':
        configMaps ??= configMapEndpoint(kc, systemNamespace);
        byType.set(kind.kind, configMaps);
        break;
    }
  }
  return byType;
}
