export { convertPod, type ConvertPodInput } from './convert-pod.js';
export type * from './types.js';
