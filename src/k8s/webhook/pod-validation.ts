/** The validating `/validate-v1-pod` decision (Kuma's pod validator): `kuma.io/workload` is Kuma's to set, not the user's. */
import { allowed, forbidden, type AdmissionRequest, type Verdict } from './admission-review.js';
import { isObject } from './decode-review.js';

const WORKLOAD_LABEL = 'kuma.io/workload';

export function validatePod(request: AdmissionRequest): Verdict {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allowed();
  const pod = request.object;
  const labels = isObject(pod) && isObject(pod.metadata) && isObject(pod.metadata.labels) ? pod.metadata.labels : {};
  if (WORKLOAD_LABEL in labels) {
    return forbidden('cannot manually set kuma.io/workload label on Pod; it is automatically managed by Kuma');
  }
  return allowed();
}
