/**
 * The `from` rules of one inbound listener of a Dataplane: every policy of a kind
 * whose top-level targetRef selects the listener, ordered by specificity, with
 * their `from` entries merged into client groups (Kuma's `MatchedPolicies` +
 * `BuildFromRules` for one inbound). Shadow policies (`kuma.io/effect: shadow`)
 * are left out, as for real configuration.
 */
import type { Resource } from '../core/resource.js';
import type { TargetRef } from '../resources/target-ref.js';
import { selectedByPolicy, type InboundListener } from './dataplane-selection.js';
import type { Grouping } from './entry-groups.js';
import { buildFromRules, type FromItem, type FromRule } from './from-rules.js';
import { comparePolicies } from './policy-order.js';

const EFFECT_LABEL = 'kuma.io/effect';

interface FromPolicySpec<C> {
  targetRef?: TargetRef;
  from?: { targetRef: TargetRef; default?: C }[];
}

/** The top-level targetRef, with Kuma's default for an absent one. */
export function topLevelTargetRef(spec: { targetRef?: TargetRef }): TargetRef {
  return spec.targetRef ?? { kind: 'Mesh' };
}

/** Policies of one kind that select `listener` of `dataplane`, least specific first. */
export function policiesForInbound(policies: readonly Resource[], dataplane: Resource, listener: InboundListener): Resource[] {
  return policies
    .filter((p) => p.meta.mesh === dataplane.meta.mesh && p.meta.labels[EFFECT_LABEL] !== 'shadow')
    .filter((p) =>
      selectedByPolicy(p.meta, topLevelTargetRef(p.spec), dataplane).inbounds.some(
        (selected) => selected.address === listener.address && selected.port === listener.port,
      ),
    )
    .sort((a, b) =>
      comparePolicies(
        { name: a.meta.name, labels: a.meta.labels, targetRef: topLevelTargetRef(a.spec) },
        { name: b.meta.name, labels: b.meta.labels, targetRef: topLevelTargetRef(b.spec) },
      ),
    );
}

/**
 * The client groups and their confs for `listener`; undefined when no policy
 * selects it (Kuma then falls back to the kind's default behaviour).
 */
export function inboundFromRules<C>(
  policies: readonly Resource[],
  dataplane: Resource,
  listener: InboundListener,
  grouping: Grouping = 'cliques',
): FromRule<C>[] | undefined {
  const selected = policiesForInbound(policies, dataplane, listener);
  if (selected.length === 0) return undefined;
  const items: FromItem<C>[] = selected.flatMap((p) =>
    ((p.spec as FromPolicySpec<C>).from ?? []).map((entry) => ({ targetRef: entry.targetRef, conf: (entry.default ?? {}) as C })),
  );
  return buildFromRules(items, grouping);
}
