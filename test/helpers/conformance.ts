/** Kuma's own test data, read in place from the shared conformance folder beside the repository. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const conformanceDir = process.env.FERRY_CONFORMANCE_DIR ?? resolve(repoRoot, '..', 'shared', 'conformance', 'kuma-v2.14.3');

export function conformanceFile(rel: string): string {
  const p = join(conformanceDir, rel);
  if (!existsSync(p)) throw new Error(`conformance data missing: ${p} (set FERRY_CONFORMANCE_DIR)`);
  return readFileSync(p, 'utf8');
}

export function conformanceJson(rel: string): any {
  return JSON.parse(conformanceFile(rel));
}
