/** Secret (mesh-scoped) and GlobalSecret: opaque bytes, base64 in JSON. */
import type { KindDescriptor } from '../core/registry.js';
import { t } from '../core/schema.js';

/** Kuma puts no rules on secret content beyond its shape. */
export const secretSchema = { data: t.bytes };

const common = {
  readOnly: false,
  includeInFederation: true,
  envelope: 'flat' as const,
  shortName: '',
  schema: secretSchema,
};

export const SecretKind: KindDescriptor = {
  ...common,
  name: 'Secret',
  path: 'secrets',
  scope: 'Mesh',
  singularDisplayName: 'Secret',
  pluralDisplayName: 'Secrets',
  cliAliases: ['secret', 'secrets'],
};

export const GlobalSecretKind: KindDescriptor = {
  ...common,
  name: 'GlobalSecret',
  path: 'globalsecrets',
  scope: 'Global',
  singularDisplayName: 'Global Secret',
  pluralDisplayName: 'Global Secrets',
  cliAliases: ['global-secret', 'global-secrets', 'globalsecret', 'globalsecrets'],
};
