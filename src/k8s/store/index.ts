export { openKubernetesStore, type KubernetesStore, type KubernetesStoreOptions } from './store.js';
export { NAME_ANNOTATION } from './names.js';
export { MODIFICATION_TIME_ANNOTATION } from './objects.js';
