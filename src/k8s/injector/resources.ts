import type { ResourceSettings } from './config.js';
import type { Json } from './types.js';
import { isZeroQuantity, quantityText } from './quantity.js';

type ResourceList = Record<string, string>;

// Init and validation containers: a zero CPU limit means "no CPU limit".
export function helperContainerResources(settings: ResourceSettings | undefined): { [key: string]: Json } {
  const limits: ResourceList = { memory: quantityText(settings?.limits?.memory) };
  if (!isZeroQuantity(settings?.limits?.cpu)) limits.cpu = quantityText(settings?.limits?.cpu);
  return {
    limits,
    requests: {
      cpu: quantityText(settings?.requests?.cpu),
      memory: quantityText(settings?.requests?.memory),
    },
  };
}

// The sidecar also reserves ephemeral storage for Envoy's files.
export function sidecarResources(settings: ResourceSettings | undefined): { [key: string]: Json } {
  const limits: ResourceList = {
    memory: quantityText(settings?.limits?.memory),
    'ephemeral-storage': '1G',
  };
  if (!isZeroQuantity(settings?.limits?.cpu)) limits.cpu = quantityText(settings?.limits?.cpu);
  return {
    limits,
    requests: {
      cpu: quantityText(settings?.requests?.cpu),
      memory: quantityText(settings?.requests?.memory),
      'ephemeral-storage': '50M',
    },
  };
}
