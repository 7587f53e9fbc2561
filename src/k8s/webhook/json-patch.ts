/**
 * RFC 6902 JSON Patch between two JSON documents: objects are compared key by key, arrays keep
 * their unchanged leading and trailing items so an inserted container becomes one `add`.
 * Operations are meant to be applied in order; indices account for earlier operations.
 */
import { isDeepStrictEqual } from 'node:util';

export type JsonPatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown };

export function createJsonPatch(original: unknown, modified: unknown): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  diff(asJson(original), asJson(modified), '', ops);
  return ops;
}

// Drops `undefined` members and other non-JSON details so both sides compare as they serialise.
function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function diff(from: unknown, to: unknown, path: string, ops: JsonPatchOperation[]): void {
  if (isDeepStrictEqual(from, to)) return;
  if (isObject(from) && isObject(to)) return diffObjects(from, to, path, ops);
  if (Array.isArray(from) && Array.isArray(to)) return diffArrays(from, to, path, ops);
  ops.push({ op: 'replace', path, value: to });
}

function diffObjects(from: Record<string, unknown>, to: Record<string, unknown>, path: string, ops: JsonPatchOperation[]): void {
  for (const key of Object.keys(from)) {
    if (!Object.prototype.hasOwnProperty.call(to, key)) ops.push({ op: 'remove', path: `${path}/${escapeToken(key)}` });
  }
  for (const [key, value] of Object.entries(to)) {
    const at = `${path}/${escapeToken(key)}`;
    if (!Object.prototype.hasOwnProperty.call(from, key)) ops.push({ op: 'add', path: at, value });
    else diff(from[key], value, at, ops);
  }
}

function diffArrays(from: unknown[], to: unknown[], path: string, ops: JsonPatchOperation[]): void {
  let prefix = 0;
  while (prefix < from.length && prefix < to.length && isDeepStrictEqual(from[prefix], to[prefix])) prefix++;
  let suffix = 0;
  while (
    suffix < from.length - prefix &&
    suffix < to.length - prefix &&
    isDeepStrictEqual(from[from.length - 1 - suffix], to[to.length - 1 - suffix])
  ) {
    suffix++;
  }
  const changedFrom = from.length - prefix - suffix;
  const changedTo = to.length - prefix - suffix;
  const paired = Math.min(changedFrom, changedTo);
  for (let i = 0; i < paired; i++) diff(from[prefix + i], to[prefix + i], `${path}/${prefix + i}`, ops);
  for (let i = paired; i < changedTo; i++) ops.push({ op: 'add', path: `${path}/${prefix + i}`, value: to[prefix + i] });
  // Removing at the same index repeatedly drops the surplus items one after another.
  for (let i = paired; i < changedFrom; i++) ops.push({ op: 'remove', path: `${path}/${prefix + paired}` });
}

function escapeToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
