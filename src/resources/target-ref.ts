/**
 * The `targetRef` every targetRef policy shares (`api/common/v1alpha1/targetref.go`):
 * its REST schema, Kuma's `ValidateTargetRef` rules with their exact messages, and
 * the deprecation warnings for top-level references.
 */
import { goQuote } from '../core/go-compat/quote.js';
import { sortedKeys } from '../core/go-compat/sort.js';
import type { Violation } from '../core/validation.js';
import { shape, type Shape } from '../policies/spec-shape.js';

export type TargetRefKind =
  | 'Mesh'
  | 'MeshSubset'
  | 'MeshGateway'
  | 'MeshService'
  | 'MeshExternalService'
  | 'MeshMultiZoneService'
  | 'MeshServiceSubset'
  | 'MeshHTTPRoute'
  | 'Dataplane';

/** In the order Kuma's schema lists them. */
export const TARGET_REF_KINDS: readonly TargetRefKind[] = [
  'Mesh',
  'MeshSubset',
  'MeshGateway',
  'MeshService',
  'MeshExternalService',
  'MeshMultiZoneService',
  'MeshServiceSubset',
  'MeshHTTPRoute',
  'Dataplane',
];

export type ProxyType = 'Sidecar' | 'Gateway';

export interface TargetRef {
  kind: TargetRefKind;
  name?: string;
  tags?: Record<string, string>;
  mesh?: string;
  proxyTypes?: ProxyType[];
  namespace?: string;
  labels?: Record<string, string>;
  sectionName?: string;
}

/** Field order follows Kuma's struct, so stored specs print as Kuma prints them. */
export const targetRefShape: Shape = shape.object(
  {
    kind: shape.oneOf(...TARGET_REF_KINDS),
    name: shape.string,
    tags: shape.map(shape.string),
    mesh: shape.string,
    proxyTypes: shape.array(shape.oneOf('Sidecar', 'Gateway')),
    namespace: shape.string,
    labels: shape.map(shape.string),
    sectionName: shape.string,
  },
  ['kind'],
);

export interface TargetRefRules {
  supportedKinds: readonly TargetRefKind[];
  /** Replaces the "not supported" message when set. */
  supportedKindsError?: string;
  gatewayListenerTagsAllowed?: boolean;
  /** Names allowed despite the character rule (Kuma's unresolved-backend marker). */
  allowedInvalidNames?: readonly string[];
  /** The policy has `from` or `rules`, so `sectionName` may pick a Dataplane inbound. */
  isInboundPolicy?: boolean;
}

const NAME_CHARACTERS = /^[0-9a-z.\-_]*$/;
const TAG_NAME_CHARACTERS = /^[a-zA-Z0-9.\-_:/]*$/;
const TAG_VALUE_CHARACTERS = /^[a-zA-Z0-9.\-_:]*$/;
const SELECTOR_VALUE_CHARACTERS = /^([a-zA-Z0-9.\-_:/]*|\*)$/;

const isSet = (value: string | Record<string, string> | readonly unknown[] | undefined): boolean =>
  typeof value === 'string' ? value !== '' : Array.isArray(value) ? value.length > 0 : value !== undefined && Object.keys(value).length > 0;

/**
 * Violations of `ref` with paths relative to it (`kind`, `tags["k"]`, or `` for
 * the reference itself); place them with {@link nestViolations}.
 */
export function validateTargetRef(ref: TargetRef, rules: TargetRefRules): Violation[] {
  const out: Violation[] = [];
  const add = (field: string, message: string) => out.push({ field, message });
  const kind: string = ref.kind ?? '';
  if (kind === '') {
    add('kind', 'must be defined');
    return out;
  }
  if (!rules.supportedKinds.includes(kind as TargetRefKind)) {
    add('kind', rules.supportedKindsError || `value '${kind}' is not supported`);
    return out;
  }
  const disallow = (field: keyof TargetRef) => {
    if (isSet(ref[field] as string | Record<string, string> | undefined)) add(field, `must not be set with kind ${kind}`);
  };
  const name = ref.name ?? '';
  const checkName = () => {
    if (!(rules.allowedInvalidNames ?? []).includes(name) && !NAME_CHARACTERS.test(name)) {
      add('name', "invalid characters: must consist of lower case alphanumeric characters, '-', '.' and '_'.");
    }
  };
  const hasLabels = isSet(ref.labels);
  const labelsExclusive = (message: string) => {
    if (hasLabels && (name !== '' || (ref.namespace ?? '') !== '')) add('labels', message);
  };
  const nameOrLabels = () => {
    if (!hasLabels && name === '') add('', `name or labels must be set when kind is ${kind}`);
  };
  const proxyTypesNotEmpty = () => {
    if (ref.proxyTypes !== undefined && ref.proxyTypes.length === 0) add('proxyTypes', 'must be undefined or have at least one element');
  };

  switch (kind) {
    case 'Mesh':
      if (name !== '') add('name', `using name with kind ${kind} is not yet supported`);
      disallow('mesh');
      disallow('tags');
      disallow('labels');
      disallow('namespace');
      disallow('sectionName');
      proxyTypesNotEmpty();
      break;
    case 'Dataplane':
      disallow('tags');
      disallow('mesh');
      disallow('proxyTypes');
      labelsExclusive('either labels or name and namespace must be specified');
      if (!rules.isInboundPolicy && (ref.sectionName ?? '') !== '') add('sectionName', 'can only be used with inbound policies');
      break;
    case 'MeshSubset':
      disallow('name');
      disallow('mesh');
      out.push(...validateTags(ref.tags ?? {}, TAG_VALUE_CHARACTERS, 'tag value must consist of alphanumeric characters, dots, dashes and underscores'));
      disallow('labels');
      disallow('namespace');
      disallow('sectionName');
      proxyTypesNotEmpty();
      break;
    case 'MeshService':
      checkName();
      disallow('mesh');
      disallow('tags');
      disallow('proxyTypes');
      nameOrLabels();
      labelsExclusive('either labels or name and namespace must be specified');
      break;
    case 'MeshHTTPRoute':
      checkName();
      disallow('mesh');
      disallow('tags');
      disallow('proxyTypes');
      disallow('sectionName');
      nameOrLabels();
      labelsExclusive('either labels or name and namespace must be specified');
      break;
    case 'MeshServiceSubset':
    case 'MeshGateway':
      if (name === '') add('name', `must be set when kind is ${kind}`);
      checkName();
      disallow('mesh');
      disallow('proxyTypes');
      out.push(
        ...validateTags(
          ref.tags ?? {},
          SELECTOR_VALUE_CHARACTERS,
          'tag value must consist of alphanumeric characters, dots, dashes, slashes and underscores or be "*"',
        ),
      );
      if (kind === 'MeshGateway' && isSet(ref.tags) && !rules.gatewayListenerTagsAllowed) disallow('tags');
      disallow('labels');
      disallow('namespace');
      disallow('sectionName');
      break;
    case 'MeshExternalService':
      checkName();
      disallow('mesh');
      disallow('tags');
      disallow('proxyTypes');
      nameOrLabels();
      labelsExclusive('either labels or name must be specified');
      disallow('sectionName');
      break;
  }
  return out;
}

/** Kuma's tag rules for selectors in targetRefs, keys in Go's sorted order. */
function validateTags(tags: Record<string, string>, valueCharacters: RegExp, valueMessage: string): Violation[] {
  const out: Violation[] = [];
  for (const key of sortedKeys(tags)) {
    const at = `tags[${goQuote(key)}]`;
    const value = tags[key];
    if (key === '') out.push({ field: 'tags', message: 'tag name must be non-empty' });
    if (!TAG_NAME_CHARACTERS.test(key)) {
      out.push({ field: at, message: 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores' });
    }
    if (value === '') out.push({ field: at, message: 'tag value must be non-empty' });
    if (!valueCharacters.test(value)) out.push({ field: at, message: valueMessage });
  }
  return out;
}

/** Places relative violations under `prefix`, joining paths as Kuma does (`a` + `b` = `a.b`, `a` + `[0]` = `a[0]`). */
export function nestViolations(prefix: string, violations: readonly Violation[]): Violation[] {
  return violations.map(({ field, message }) => {
    if (field === '') return { field: prefix, message };
    if (prefix === '') return { field, message };
    return { field: field.startsWith('[') ? `${prefix}${field}` : `${prefix}.${field}`, message };
  });
}

/** Warnings Kuma returns for top-level kinds that `Dataplane` (or `to[]`) replaces. */
export function topLevelTargetRefDeprecations(ref: TargetRef | undefined): string[] {
  if (!ref) return [];
  if (ref.kind === 'MeshService' || ref.kind === 'MeshServiceSubset' || ref.kind === 'MeshSubset') {
    return [`${ref.kind} value for 'targetRef.kind' is deprecated, use Dataplane with labels instead`];
  }
  if (ref.kind === 'MeshHTTPRoute') {
    return ["MeshHTTPRoute value for 'targetRef.kind' is deprecated, use MeshHTTPRoute in spec.to[].targetRef"];
  }
  return [];
}
