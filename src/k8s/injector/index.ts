export { injectPod } from './inject.js';
export type { InjectOptions, InjectorConfig, InjectedBinaries } from './config.js';
export { kumaBinaries } from './config.js';
export type { Pod, Container } from './types.js';
