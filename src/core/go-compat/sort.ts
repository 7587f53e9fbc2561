/** Go orders strings byte-wise (UTF-8), which differs from JavaScript's code-unit order above the BMP. */
import { Buffer } from 'node:buffer';

export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A map's keys in the order Go's sort.Strings gives them. */
export function sortedKeys(map: Record<string, unknown>): string[] {
  return Object.keys(map).sort(compareGoStrings);
}
