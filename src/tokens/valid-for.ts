/** A token request's `validFor`: a Go duration, with time.ParseDuration's error texts. */
import { parseGoDuration } from '../core/go-compat/duration.js';

/** Kuma's default when `validFor` is empty, kept for backwards compatibility: ten years. */
export const DEFAULT_VALID_FOR_MS = 10 * 365 * 24 * 3600 * 1000;

/** The time package's own quoting: bytes outside printable ASCII become \xNN. */
function timeQuote(s: string): string {
  let out = '"';
  for (const byte of Buffer.from(s, 'utf8')) {
    if (byte >= 0x80 || byte < 0x20) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else {
      const c = String.fromCharCode(byte);
      out += c === '"' || c === '\\' ? `\\${c}` : c;
    }
  }
  return `${out}"`;
}

/** Why Go's time.ParseDuration refuses `input` (the parse itself is parseGoDuration's). */
export function durationError(input: string): string {
  const invalid = `time: invalid duration ${timeQuote(input)}`;
  let s = input.replace(/^[-+]/, '');
  while (s !== '') {
    if (!/^[0-9.]/.test(s)) return invalid;
    const number = /^[0-9]*(\.[0-9]*)?/.exec(s)![0];
    if (number === '' || number === '.') return invalid;
    s = s.slice(number.length);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === '') return `time: missing unit in duration ${timeQuote(input)}`;
    if (!['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h'].includes(unit)) return `time: unknown unit ${timeQuote(unit)} in duration ${timeQuote(input)}`;
    s = s.slice(unit.length);
  }
  return invalid; // empty, or out of range
}

/** Milliseconds, or the violation message Kuma reports for the `validFor` field. */
export function parseValidFor(value: string): { ms: number } | { error: string } {
  if (value === '') return { ms: DEFAULT_VALID_FOR_MS };
  const nanos = parseGoDuration(value);
  if (nanos === undefined) return { error: `is invalid: ${durationError(value)}` };
  return { ms: Number(nanos / 1_000_000n) };
}
