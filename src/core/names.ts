/** Name and mesh identifier rules for every resource (Kuma's meta validator). */
import type { Violation } from './validation.js';

const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LEGACY_MESH_NAME = /^[0-9a-z-_.]*$/;

function identifierViolation(field: string, value: string, pattern: RegExp, patternMessage: string): Violation[] {
  if (value === '') return [{ field, message: 'cannot be empty' }];
  if (value.length > 253) return [{ field, message: 'value length must less or equal 253' }];
  if (!pattern.test(value)) return [{ field, message: patternMessage }];
  return [];
}

export function validateName(name: string): Violation[] {
  return identifierViolation(
    'name',
    name,
    RFC1123_SUBDOMAIN,
    "invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  );
}

/** Mesh references keep the older, wider character set: a mesh may predate the stricter name rule. */
export function validateMeshRef(mesh: string): Violation[] {
  return identifierViolation(
    'mesh',
    mesh,
    LEGACY_MESH_NAME,
    "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_', '.' symbols.",
  );
}
