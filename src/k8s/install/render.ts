/** Manifests as one multi-document YAML stream. */
import { stringify } from 'yaml';
import type { Manifest } from './manifests.js';

export function renderManifests(manifests: Manifest[]): string {
  // no anchors/aliases: kubectl and other tools read each document on its own
  return manifests.map((m) => '---\n' + stringify(m, { aliasDuplicateObjects: false, lineWidth: 0 })).join('');
}
