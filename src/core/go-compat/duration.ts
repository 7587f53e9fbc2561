/** Go's time.ParseDuration: `[-+]` then one or more `<number><unit>`, e.g. `1h30m`, `1.5s`, `-300ms`, or a bare `0`. */

const NANOS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const LIMIT = 1n << 63n; // Go accumulates in uint64 and the result is an int64

/** The duration in nanoseconds, or undefined where Go returns an error. */
export function parseGoDuration(input: string): bigint | undefined {
  let s = input;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;

  let total = 0n;
  while (s !== '') {
    const whole = /^[0-9]*/.exec(s)![0];
    s = s.slice(whole.length);
    const value = leadingInt(whole);
    if (value === undefined) return undefined;

    let fraction = { digits: 0n, scale: 1 };
    let fractionText = '';
    if (s[0] === '.') {
      fractionText = /^[0-9]*/.exec(s.slice(1))![0];
      s = s.slice(1 + fractionText.length);
      fraction = leadingFraction(fractionText);
    }
    if (whole === '' && fractionText === '') return undefined; // no digits, e.g. ".s"

    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === '') return undefined; // missing unit
    s = s.slice(unit.length);
    const nanosPerUnit = NANOS_PER_UNIT[unit];
    if (nanosPerUnit === undefined) return undefined;

    if (value > LIMIT / nanosPerUnit) return undefined;
    let nanos = value * nanosPerUnit;
    if (fraction.digits > 0n) {
      // Go scales the fraction in float64; truncating the same way keeps sub-nanosecond rounding identical
      nanos += BigInt(Math.trunc(Number(fraction.digits) * (Number(nanosPerUnit) / fraction.scale)));
      if (nanos > LIMIT) return undefined;
    }
    total += nanos;
    if (total > LIMIT) return undefined;
  }
  if (negative) return -total;
  return total > LIMIT - 1n ? undefined : total;
}

function leadingInt(digits: string): bigint | undefined {
  let x = 0n;
  for (const c of digits) {
    if (x > LIMIT / 10n) return undefined;
    x = x * 10n + BigInt(c);
    if (x > LIMIT) return undefined;
  }
  return x;
}

/** The fraction's digits as an integer and its scale; digits past what fits are ignored. */
function leadingFraction(digits: string): { digits: bigint; scale: number } {
  let x = 0n;
  let scale = 1;
  for (const c of digits) {
    if (x > (LIMIT - 1n) / 10n) break;
    const next = x * 10n + BigInt(c);
    if (next > LIMIT) break;
    x = next;
    scale *= 10;
  }
  return { digits: x, scale };
}
