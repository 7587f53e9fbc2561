/**
 * Kubernetes Events about a pod (events.k8s.io/v1), so `kubectl describe pod` says what the control
 * plane did with it. Recording is best effort: a failure is logged and never fails the caller.
 */
import { EventsV1Api, V1MicroTime, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { apiMessageOf } from './api-errors.js';
import type { ControllerLogger } from './service-controller.js';

export interface PodEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  action: string;
  note: string;
}

export interface EventRecorder {
  record(pod: V1Pod, event: PodEvent): void;
}

export function eventRecorder(kc: KubeConfig, logger: ControllerLogger, controller: string, instance: string): EventRecorder {
  const events = kc.makeApiClient(EventsV1Api);
  return {
    record(pod, event) {
      const namespace = pod.metadata?.namespace;
      const name = pod.metadata?.name;
      if (!namespace || !name) return;
      events
        .createNamespacedEvent({
          namespace,
          body: {
            metadata: { generateName: `${name}.`, namespace },
            eventTime: new V1MicroTime(),
            reportingController: controller,
            reportingInstance: instance,
            action: event.action,
            reason: event.reason,
            // the API caps notes at 1 kB
            note: event.note.length > 1024 ? `${event.note.slice(0, 1021)}...` : event.note,
            type: event.type,
            regarding: { apiVersion: 'v1', kind: 'Pod', name, namespace, uid: pod.metadata?.uid },
          },
        })
        .catch((err: unknown) => logger.debug({ err: apiMessageOf(err), pod: `${namespace}/${name}` }, 'could not record an event'));
    },
  };
}
