/**
 * The mutating `/inject-sidecar` decision for a Pod: find its namespace, decide whether and into
 * which mesh to inject, run the pure injector and answer with the JSON Patch from the submitted pod
 * to the injected one. Any failure denies the pod with code 500, as Kuma's pod mutator does.
 */
import type { V1Namespace } from '@kubernetes/client-node';
import { injectPod, type InjectOptions, type Pod } from '../injector/index.js';
import { allowed, allowedWithPatch, errored, type AdmissionRequest, type Verdict } from './admission-review.js';
import { isObject } from './decode-review.js';
import { meshOfPod, needsInjection, sidecarUidConflict } from './injection-decision.js';
import { createJsonPatch } from './json-patch.js';

/** Injector settings fixed for the whole server; the mesh and namespace labels are found per pod. */
export type WebhookInjectorOptions = Omit<InjectOptions, 'mesh' | 'namespaceLabels'>;

export interface SidecarInjectionDeps {
  injector: WebhookInjectorOptions;
  readNamespace?: (name: string) => Promise<V1Namespace | undefined>;
  /** When given, pods of a mesh that does not exist are refused, as Kuma does. */
  meshExists?: (name: string) => Promise<boolean>;
}

export async function injectSidecar(request: AdmissionRequest, deps: SidecarInjectionDeps): Promise<Verdict> {
  if (!isObject(request.object)) return errored(400, 'couldn\'t decode Pod: the object must be a JSON object');
  const pod = structuredClone(request.object) as unknown as Pod;
  pod.metadata ??= {};
  pod.spec ??= { containers: [] };
  pod.spec.containers ??= [];
  if (request.namespace) pod.metadata.namespace = request.namespace;

  try {
    const namespaceName = pod.metadata.namespace || 'default';
    const namespace = deps.readNamespace
      ? await deps.readNamespace(namespaceName)
      : { metadata: { name: namespaceName } };
    if (!namespace) return errored(500, `could not retrieve namespace for pod: namespaces "${namespaceName}" not found`);

    if (!needsInjection(pod, namespace, deps.injector.config)) return allowed();

    const mesh = meshOfPod(pod, namespace);
    if (deps.meshExists && !(await deps.meshExists(mesh))) return errored(500, `meshes.kuma.io "${mesh}" not found`);
    const conflict = sidecarUidConflict(pod, deps.injector.config);
    if (conflict) return errored(500, conflict);

    const injected = injectPod(pod, { ...deps.injector, mesh, namespaceLabels: namespace.metadata?.labels ?? {} });
    return allowedWithPatch(createJsonPatch(request.object, injected));
  } catch (err) {
    return errored(500, (err as Error).message);
  }
}
