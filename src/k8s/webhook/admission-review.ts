/**
 * AdmissionReview (admission.k8s.io/v1, v1beta1 accepted too) as the API server sends and expects it,
 * with the response shapes Kuma's webhooks produce: allowed, errored (code + message),
 * denied (403 Forbidden) and invalid (422 with one cause per violation).
 */
import type { Violation } from '../../core/validation.js';

export const ADMISSION_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  name?: string;
  namespace?: string;
  operation?: Operation;
  userInfo?: { username?: string };
  object?: unknown;
  oldObject?: unknown;
}

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface Status {
  metadata: Record<string, never>;
  code: number;
  status?: 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; kind?: string; causes?: StatusCause[] };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status: Status;
  patch?: string;
  patchType?: 'JSONPatch';
  warnings?: string[];
}

/** A verdict before it is tied to a request uid. */
export type Verdict = Omit<AdmissionResponse, 'uid'>;

export interface AdmissionReview {
  apiVersion: string;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export function allowed(warnings: string[] = []): Verdict {
  return { allowed: true, status: { metadata: {}, code: 200 }, ...(warnings.length > 0 ? { warnings } : {}) };
}

export function allowedWithPatch(patch: unknown[]): Verdict {
  if (patch.length === 0) return allowed();
  return {
    ...allowed(),
    patchType: 'JSONPatch',
    patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
  };
}

/** The request could not be handled (bad input → 400, our failure → 500). */
export function errored(code: number, message: string): Verdict {
  return { allowed: false, status: { metadata: {}, code, message } };
}

export function forbidden(message: string): Verdict {
  return { allowed: false, status: { metadata: {}, code: 403, status: 'Failure', reason: 'Forbidden', message } };
}

/** Violations of a kuma.io object; `kind`/`name` identify it in the details. */
export function invalid(violations: Violation[], kind: string, name: string | undefined): Verdict {
  return {
    allowed: false,
    status: {
      metadata: {},
      code: 422,
      status: 'Failure',
      reason: 'Invalid',
      message: violations.map((v) => `${v.field}: ${v.message}`).join('; '),
      details: {
        ...(name ? { name } : {}),
        kind,
        causes: violations.map((v) => ({ reason: 'FieldValueInvalid', message: v.message, field: v.field })),
      },
    },
  };
}

export function review(apiVersion: string, uid: string, verdict: Verdict): AdmissionReview {
  return { apiVersion, kind: 'AdmissionReview', response: { uid, ...verdict } };
}
