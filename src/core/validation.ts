/** Field paths and accumulated violations, in Kuma's `a.b[0]["k"]` notation. */

export class FieldPath {
  private constructor(private readonly parts: readonly string[]) {}

  static root(): FieldPath {
    return new FieldPath([]);
  }

  static at(name: string): FieldPath {
    return name === '' ? FieldPath.root() : new FieldPath([name]);
  }

  field(name: string): FieldPath {
    return new FieldPath([...this.parts, this.parts.length > 0 ? `.${name}` : name]);
  }

  index(i: number): FieldPath {
    return new FieldPath([...this.parts, `[${i}]`]);
  }

  key(k: string): FieldPath {
    return new FieldPath([...this.parts, `[${JSON.stringify(k)}]`]);
  }

  toString(): string {
    return this.parts.join('');
  }
}

export interface Violation {
  field: string;
  message: string;
}

export class Violations {
  readonly list: Violation[] = [];

  add(path: FieldPath | string, message: string): void {
    this.list.push({ field: path.toString(), message });
  }

  addAll(other: Violations | Violation[]): void {
    this.list.push(...(Array.isArray(other) ? other : other.list));
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw new ValidationError(this.list);
  }
}

/** A resource failed validation; every violation is reported at once. */
export class ValidationError extends Error {
  constructor(readonly violations: Violation[]) {
    super(violations.map((v) => `${v.field}: ${v.message}`).join('; '));
    this.name = 'ValidationError';
  }

  static single(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }]);
  }
}
