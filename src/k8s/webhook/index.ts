export { startWebhookServer, INJECT_SIDECAR_PATH, VALIDATE_KUMA_PATH, DEFAULT_KUMA_PATH, OWNER_REFERENCE_PATH, VALIDATE_SECRET_PATH, VALIDATE_POD_PATH, DEFAULT_WEBHOOK_PORT } from './server.js';
export type { WebhookServerOptions, WebhookServer } from './server.js';
export type { WebhookInjectorOptions } from './sidecar-injection.js';
export { createJsonPatch, type JsonPatchOperation } from './json-patch.js';
export type { AdmissionRequest, AdmissionResponse, AdmissionReview } from './admission-review.js';
