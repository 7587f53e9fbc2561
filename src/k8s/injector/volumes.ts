import type { VolumeMount } from './types.js';

// Scratch space for the two containers, whose root filesystems are read-only.
export const initTmpVolume = { name: 'kuma-init-tmp', emptyDir: { sizeLimit: '10M' } };
export const sidecarTmpVolume = { name: 'kuma-sidecar-tmp', emptyDir: { sizeLimit: '10M' } };

export const initTmpMount = (): VolumeMount => ({ name: initTmpVolume.name, mountPath: '/tmp' });
export const sidecarTmpMount = (): VolumeMount => ({ name: sidecarTmpVolume.name, mountPath: '/tmp' });

export const serviceAccountTokenPath = '/var/run/secrets/kubernetes.io/serviceaccount';
