/** What every compiled check shares: the path it reports at, where violations go, and how Any is resolved. */
import type { Registry } from '@bufbuild/protobuf';

export interface RuleViolation {
  path: string;
  message: string;
}

/**
 * A path segment: a proto field name, a list index, or a map key already
 * rendered as `["key"]`. Paths are linked lists built only as deep as the walk
 * goes, and rendered to text only when something is reported.
 */
export type Segment = string | number;

export interface PathNode {
  readonly up: PathNode | undefined;
  readonly seg: Segment;
}

export interface CheckContext {
  readonly out: RuleViolation[];
  readonly registry: Registry;
}

/** Checks one value found at `up` + `seg`. */
export type ValueCheck = (value: any, up: PathNode | undefined, seg: Segment, ctx: CheckContext) => void;

/** Tests a plain value; returns the violation message, or undefined when it passes. */
export type ValueTest = (value: any) => string | undefined;

export function child(up: PathNode | undefined, seg: Segment): PathNode {
  return { up, seg };
}

export function mapKeySegment(key: string): string {
  return `[${JSON.stringify(key)}]`;
}

export function renderPath(up: PathNode | undefined, seg: Segment): string {
  const segs: Segment[] = [seg];
  for (let n = up; n !== undefined; n = n.up) segs.push(n.seg);
  let s = '';
  for (let i = segs.length - 1; i >= 0; i--) {
    const g = segs[i];
    if (typeof g === 'number') s += `[${g}]`;
    else if (g.charCodeAt(0) === 91 /* [ */) s += g;
    else s += s === '' ? g : `.${g}`;
  }
  return s;
}

export function report(ctx: CheckContext, up: PathNode | undefined, seg: Segment, message: string): void {
  ctx.out.push({ path: renderPath(up, seg), message });
}

/** Turns a list of value tests into one check, or undefined when there is nothing to test. */
export function checkFromTests(tests: ValueTest[]): ValueCheck | undefined {
  if (tests.length === 0) return undefined;
  if (tests.length === 1) {
    const only = tests[0];
    return (v, up, seg, ctx) => {
      const m = only(v);
      if (m !== undefined) report(ctx, up, seg, m);
    };
  }
  return (v, up, seg, ctx) => {
    for (const t of tests) {
      const m = t(v);
      if (m !== undefined) report(ctx, up, seg, m);
    }
  };
}

/** A rule field of a proto2 rules message counts only when it was written in the .proto. */
export function ruleSet(rules: object, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(rules, name) && (rules as Record<string, unknown>)[name] !== undefined;
}
