/** google.protobuf.Duration as Go's protobuf JSON reads and prints it (`"90s"`, `"-0.300s"`). */

/** Duration.CheckValid's bound: about 10,000 years. */
export const MAX_DURATION_SECONDS = 315_576_000_000n;
const NANOS_PER_SECOND = 1_000_000_000n;

export interface ProtoDuration {
  seconds: bigint;
  /** same sign as seconds, magnitude below one second */
  nanos: bigint;
}

const DURATION_TEXT = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/;

/** `-?<seconds>[.<1 to 9 digits>]s`, or undefined; the range is not checked. */
export function parseDurationText(text: string): ProtoDuration | undefined {
  const m = DURATION_TEXT.exec(text);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  return { seconds: sign * BigInt(m[2]), nanos: sign * BigInt((m[3] ?? '').padEnd(9, '0')) };
}

export function durationFromNanos(nanos: bigint): ProtoDuration {
  // BigInt division truncates toward zero, so both parts keep the sign, as Go's do
  return { seconds: nanos / NANOS_PER_SECOND, nanos: nanos % NANOS_PER_SECOND };
}

/** durationpb's CheckValid: within ±MAX_DURATION_SECONDS and nanos agreeing in sign. */
export function isValidDuration(d: ProtoDuration): boolean {
  if (d.seconds < -MAX_DURATION_SECONDS || d.seconds > MAX_DURATION_SECONDS) return false;
  if (d.nanos <= -NANOS_PER_SECOND || d.nanos >= NANOS_PER_SECOND) return false;
  return !((d.seconds > 0n && d.nanos < 0n) || (d.seconds < 0n && d.nanos > 0n));
}

export function isZeroDuration(d: ProtoDuration): boolean {
  return d.seconds === 0n && d.nanos === 0n;
}

/** The JSON text: seconds with 0, 3, 6 or 9 fractional digits, e.g. `1.500s`. */
export function formatDuration(d: ProtoDuration): string {
  const negative = d.seconds < 0n || d.nanos < 0n;
  const abs = (n: bigint) => (n < 0n ? -n : n);
  let text = `${abs(d.seconds)}.${abs(d.nanos).toString().padStart(9, '0')}`;
  for (const suffix of ['000', '000', '.000']) if (text.endsWith(suffix)) text = text.slice(0, -suffix.length);
  return `${negative ? '-' : ''}${text}s`;
}
