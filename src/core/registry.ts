/**
 * One description per resource kind. The store, the REST API, the CLI and
 * (later) the CRDs are all driven from here.
 */
import type { FieldSchema } from './schema.js';
import type { Labels, Spec } from './resource.js';
import type { Violation } from './validation.js';

export type Scope = 'Global' | 'Mesh';

/** What validation may look at beyond the spec itself. */
export interface ValidationContext {
  name: string;
  mesh: string;
  labels: Labels;
  /** The stored spec when this is an update. */
  previous?: Spec;
}

export interface PolicyTraits {
  hasFromTargetRef: boolean;
  hasRulesTargetRef: boolean;
  hasToTargetRef: boolean;
  isFromAsRules: boolean;
  isTargetRef: boolean;
}

export interface KindDescriptor {
  /** Kuma type name, e.g. `Dataplane`. */
  name: string;
  /** REST path segment, e.g. `dataplanes`. */
  path: string;
  scope: Scope;
  shortName: string;
  singularDisplayName: string;
  pluralDisplayName: string;
  readOnly: boolean;
  includeInFederation: boolean;
  /** `flat`: spec fields sit beside the meta fields (legacy proto types); `spec`: under `spec:` (policies). */
  envelope: 'flat' | 'spec';
  /** Top-level spec fields. */
  schema: Record<string, FieldSchema>;
  /** Extra names `ferryctl` accepts for this kind. */
  cliAliases: string[];
  /** The kind holding live status for this one (Dataplane → DataplaneInsight). */
  insightKind?: string;
  /** For targetRef policies: which sections they have, as Kuma's `/_resources` lists them. */
  policy?: PolicyTraits;
  /** Kind-specific rules, run after the schema accepted the shape. */
  validate?(spec: Spec, ctx: ValidationContext): Violation[];
  /** The REST API serves this kind through its own routes rather than the generic CRUD ones. */
  customRoutes?: boolean;
  /** Server-side defaults applied before validation on writes. */
  applyDefaults?(spec: Spec): Spec;
}

export class KindRegistry {
  private readonly byName = new Map<string, KindDescriptor>();

  register(kind: KindDescriptor): void {
    if (this.byName.has(kind.name)) throw new Error(`kind ${kind.name} registered twice`);
    this.byName.set(kind.name, kind);
  }

  get(name: string): KindDescriptor | undefined {
    return this.byName.get(name);
  }

  mustGet(name: string): KindDescriptor {
    const kind = this.byName.get(name);
    if (!kind) throw new Error(`unknown resource type ${name}`);
    return kind;
  }

  byPath(path: string, scope?: Scope): KindDescriptor | undefined {
    for (const kind of this.byName.values()) {
      if (kind.path === path && (scope === undefined || kind.scope === scope)) return kind;
    }
    return undefined;
  }

  /** Resolves a CLI word (`dataplanes`, `dp`, `mesh`…) to a kind. */
  byCliName(word: string): KindDescriptor | undefined {
    const w = word.toLowerCase();
    for (const kind of this.byName.values()) {
      const names = [kind.name.toLowerCase(), kind.path, kind.shortName, ...kind.cliAliases].filter(Boolean);
      if (names.includes(w)) return kind;
    }
    return undefined;
  }

  all(): KindDescriptor[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
