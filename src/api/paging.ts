/** Kuma's `size`/`offset` paging and the absolute `next` link. */
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

export interface Page {
  size: number;
  offset: number;
}

function invalidSize(title: string, reason: string): HttpError {
  return new HttpError(400, title, 'Invalid page size', [{ field: 'size', reason }]);
}

export function pageFrom(query: Record<string, unknown>, title: string): Page {
  let size = DEFAULT_PAGE_SIZE;
  const rawSize = first(query.size);
  if (rawSize !== undefined && rawSize !== '') {
    if (!/^[-+]?\d+$/.test(rawSize)) throw invalidSize(title, 'invalid format');
    size = Number(rawSize);
    if (size <= 0) throw invalidSize(title, 'must be greater than 0');
    if (size > MAX_PAGE_SIZE) throw invalidSize(title, `invalid page size of ${size}. Maximum page size is ${MAX_PAGE_SIZE}`);
  }
  let offset = 0;
  const rawOffset = first(query.offset);
  if (rawOffset !== undefined && rawOffset !== '') {
    if (!/^[-+]?\d+$/.test(rawOffset)) throw new HttpError(400, title, `invalid offset: strconv.Atoi: parsing ${JSON.stringify(rawOffset)}: invalid syntax`);
    offset = Number(rawOffset);
    if (offset < 0) throw new HttpError(400, title, 'invalid offset: must be non-negative');
    if (!Number.isSafeInteger(offset)) throw new HttpError(400, title, 'invalid offset: exceeds maximum value');
  }
  return { size, offset };
}

export function first(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length > 0 ? String(v[v.length - 1]) : undefined;
  return v === undefined ? undefined : String(v);
}

export function all(v: unknown): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

export function nextLink(req: FastifyRequest, nextOffset: number | undefined): string | null {
  if (nextOffset === undefined) return null;
  const url = new URL(req.url, `${req.protocol}://${req.headers.host ?? 'localhost'}`);
  url.searchParams.set('offset', String(nextOffset));
  // Go's url.Values.Encode sorts keys
  const sorted = new URLSearchParams([...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${url.protocol}//${url.host}${url.pathname}?${sorted.toString()}`;
}
