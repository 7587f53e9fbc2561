/** Label rules for writes and the labels the control plane computes itself. */
import type { KindDescriptor } from './registry.js';
import type { Labels, Spec } from './resource.js';
import { FieldPath, type Violation } from './validation.js';
import { policyRole, type PolicyNamespace } from './policy-role.js';

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes' qualified-name rule for label keys, with its messages. */
function qualifiedNameProblems(key: string): string[] {
  const parts = key.split('/');
  let name = key;
  const out: string[] = [];
  if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (parts.length === 2) {
    const [prefix, rest] = parts;
    name = rest;
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else if (prefix.length > 253) out.push('prefix part must be no more than 253 characters');
    else if (!DNS_SUBDOMAIN.test(prefix)) {
      out.push(
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      );
    }
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  if (name.length > 0 && !NAME_PART.test(name)) {
    out.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return out;
}

export interface LabelRules {
  zone: string;
}

/** Violations of the labels a client sent, with Kuma's paths (`labels["k"]`). */
export function validateLabels(labels: Labels, mesh: string, rules: LabelRules): Violation[] {
  const out: Violation[] = [];
  const at = (k: string) => FieldPath.at('labels').key(k).toString();
  const origin = labels['kuma.io/origin'];
  if (origin !== undefined && origin !== 'zone' && origin !== 'global') {
    out.push({ field: at('kuma.io/origin'), message: `unknown resource origin ${JSON.stringify(origin)}` });
  }
  if (origin !== 'global') {
    if (labels['kuma.io/zone'] !== undefined && labels['kuma.io/zone'] !== rules.zone) {
      out.push({ field: at('kuma.io/zone'), message: `kuma.io/zone label should have ${rules.zone} value` });
    }
    if (labels['kuma.io/mesh'] !== undefined && labels['kuma.io/mesh'] !== mesh) {
      out.push({ field: at('kuma.io/mesh'), message: 'kuma.io/mesh label must not differ from mesh set on resource' });
    }
  }
  for (const k of Object.keys(labels).sort()) {
    for (const message of qualifiedNameProblems(k)) out.push({ field: at(k), message });
  }
  return out;
}

export interface ComputeOptions {
  zone: string;
  env: 'universal' | 'kubernetes';
  /** The Kubernetes namespace of the object (none on Universal). */
  namespace?: PolicyNamespace;
}

/** Kinds a zone control plane originates (and marks with origin/zone/env). */
const ZONE_ORIGINATED = new Set(['Dataplane', 'DataplaneInsight', 'MeshTrafficPermission']);

export function computeLabels(kind: KindDescriptor, spec: Spec, existing: Labels, mesh: string, opts: ComputeOptions): Labels {
  const labels: Labels = { ...existing };
  const setIfMissing = (k: string, v: string) => {
    if (labels[k] === undefined) labels[k] = v;
  };
  if (kind.scope === 'Mesh') setIfMissing('kuma.io/mesh', mesh || 'default');
  if (ZONE_ORIGINATED.has(kind.name)) {
    setIfMissing('kuma.io/origin', 'zone');
    if (labels['kuma.io/origin'] !== 'global') {
      setIfMissing('kuma.io/zone', opts.zone);
      setIfMissing('kuma.io/env', opts.env);
    }
  }
  const locallyOriginated = labels['kuma.io/origin'] !== 'global';
  if (opts.namespace && opts.namespace.name !== '' && locallyOriginated) {
    if (opts.env === 'kubernetes') setIfMissing('k8s.kuma.io/namespace', opts.namespace.name);
    // throws when the policy mixes directions or kinds of `to` items
    if (kind.policy) labels['kuma.io/policy-role'] = policyRole(spec, opts.namespace);
  }
  if (kind.name === 'Dataplane') {
    const gateway = (spec.networking as { gateway?: { type?: string } } | undefined)?.gateway;
    labels['kuma.io/proxy-type'] = gateway?.type === 'BUILTIN' ? 'gateway' : 'sidecar';
  }
  return labels;
}
