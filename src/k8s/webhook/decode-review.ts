/** Reading an AdmissionReview out of an HTTP request body, with the checks the webhook runtime Kuma uses makes. */
import { ADMISSION_API_VERSIONS, type AdmissionRequest } from './admission-review.js';

export type DecodedReview = { apiVersion: string; request: AdmissionRequest } | { error: string };

export function decodeAdmissionReview(body: Buffer, contentType: string | undefined): DecodedReview {
  if (body.length === 0) return { error: 'request body is empty' };
  if (contentType !== 'application/json') return { error: `contentType=${contentType ?? ''}, expected application/json` };
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return { error: `couldn't decode AdmissionReview: ${(err as Error).message}` };
  }
  if (!isObject(doc)) return { error: "couldn't decode AdmissionReview: not a JSON object" };
  const apiVersion = doc.apiVersion ?? ADMISSION_API_VERSIONS[0];
  if (!(ADMISSION_API_VERSIONS as readonly unknown[]).includes(apiVersion) || (doc.kind ?? 'AdmissionReview') !== 'AdmissionReview') {
    return { error: `no kind "${String(doc.kind)}" is registered for version "${String(doc.apiVersion)}"` };
  }
  if (doc.request === undefined || doc.request === null) return { error: 'got an empty AdmissionRequest' };
  if (!isObject(doc.request)) return { error: "couldn't decode AdmissionReview: request is not an object" };
  const request = doc.request as unknown as AdmissionRequest;
  if (typeof request.uid !== 'string') return { error: "couldn't decode AdmissionReview: request.uid must be a string" };
  return { apiVersion: apiVersion as string, request };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
