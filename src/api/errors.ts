/** Kuma's error envelope (`/std-errors`) and the mapping from internal errors to it. */
import { ValidationError } from '../core/validation.js';
import { MeshNotFoundError } from '../core/manager.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../store/store.js';

export interface InvalidParameter {
  field: string;
  reason: string;
}

export interface KumaError {
  type: '/std-errors';
  status: number;
  title: string;
  detail: string;
  invalid_parameters?: InvalidParameter[];
  details: string;
  causes?: { field: string; message: string }[];
}

/** An error that already knows its HTTP status and wording. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly invalidParameters: InvalidParameter[] = [],
  ) {
    super(detail);
  }
}

export function badRequest(detail: string): HttpError {
  return new HttpError(400, 'Bad Request', detail);
}

function envelope(status: number, title: string, detail: string, params: InvalidParameter[] = []): KumaError {
  const e: KumaError = { type: '/std-errors', status, title, detail, details: detail };
  if (params.length > 0) {
    e.invalid_parameters = params;
    e.causes = params.map((p) => ({ field: p.field, message: p.reason }));
  }
  // keep Kuma's key order: invalid_parameters before the deprecated duplicates
  return {
    type: e.type,
    status: e.status,
    title: e.title,
    detail: e.detail,
    ...(e.invalid_parameters ? { invalid_parameters: e.invalid_parameters } : {}),
    details: e.details,
    ...(e.causes ? { causes: e.causes } : {}),
  };
}

/** Maps an error to Kuma's envelope; `title` names the operation, as Kuma's handlers do. */
export function toKumaError(err: unknown, title: string): KumaError {
  if (err instanceof HttpError) return envelope(err.status, err.title, err.detail, err.invalidParameters);
  if (err instanceof NotFoundError) return envelope(404, title, 'Not found');
  if (err instanceof ValidationError) {
    return envelope(400, title, 'Resource is not valid', err.violations.map((v) => ({ field: v.field, reason: v.message })));
  }
  if (err instanceof MeshNotFoundError) {
    return envelope(400, title, 'Mesh is not found', [{ field: 'mesh', reason: `mesh of name ${err.mesh} is not found` }]);
  }
  if (err instanceof ConflictError || err instanceof AlreadyExistsError) return envelope(409, 'Conflict', err.message);
  return envelope(500, title, 'Internal Server Error');
}
