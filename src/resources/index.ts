/** Every kind Ferry knows. Later capabilities (policies…) register here too. */
import { KindRegistry } from '../core/registry.js';
import { DataplaneKind } from './dataplane.js';
import { DataplaneInsightKind } from './dataplane-insight.js';
import { MeshKind } from './mesh.js';
import { MeshTrafficPermissionKind } from './mesh-traffic-permission.js';
import { GlobalSecretKind, SecretKind } from './secret.js';
import { ServiceInsightKind } from './service-insight.js';

export function createRegistry(): KindRegistry {
  const registry = new KindRegistry();
  for (const kind of [MeshKind, DataplaneKind, DataplaneInsightKind, SecretKind, GlobalSecretKind, MeshTrafficPermissionKind, ServiceInsightKind]) {
    registry.register(kind);
  }
  return registry;
}
