/**
 * Enforces the protoc-gen-validate (`validate.rules`) annotations of generated
 * Envoy messages, so a resource Envoy would reject is caught before it is served.
 * Nested messages, list items, map entries and the contents of Any fields are
 * all checked; see src/envoy/validate/ for the rule kinds.
 */
import type { DescMessage, MessageShape, Registry } from '@bufbuild/protobuf';
import { envoyRegistry } from './type-registry.js';
import type { RuleViolation } from './validate/context.js';
import { messagePlan } from './validate/plan.js';

export type { RuleViolation } from './validate/context.js';

export interface CheckOptions {
  /** Resolves the types packed in Any fields; defaults to the Envoy registry. */
  registry?: Registry;
}

/** Every rule the message breaks, with proto field paths such as `filter_chains[0].filters[0].name`; empty when valid. */
export function checkMessage<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  options: CheckOptions = {},
): RuleViolation[] {
  const out: RuleViolation[] = [];
  messagePlan(schema)(message, undefined, { out, registry: options.registry ?? envoyRegistry });
  return out;
}

/** A generated resource breaks its validation rules. */
export class InvalidResourceError extends Error {
  constructor(
    readonly what: string,
    readonly violations: RuleViolation[],
  ) {
    super(`${what} is invalid: ${violations.map((v) => `${v.path}: ${v.message}`).join('; ')}`);
    this.name = 'InvalidResourceError';
  }
}

/** Throws an InvalidResourceError naming `what` (e.g. `Listener "outbound:127.0.0.1:10001"`) unless the message is valid. */
export function assertValid<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  what: string,
  options: CheckOptions = {},
): void {
  const violations = checkMessage(schema, message, options);
  if (violations.length > 0) throw new InvalidResourceError(what, violations);
}
