/** Prints a duration as Go's `time.Duration.String()` does (kuma-dp reads these back with Go). */
export function formatGoDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  let rest = Math.abs(nanos);
  if (rest < 1e9) {
    for (const [unit, size] of [['ms', 1e6], ['µs', 1e3], ['ns', 1]] as const) {
      if (rest >= size) return `${sign}${trimFraction(rest / size)}${unit}`;
    }
  }
  const hours = Math.floor(rest / 3600e9);
  rest -= hours * 3600e9;
  const minutes = Math.floor(rest / 60e9);
  rest -= minutes * 60e9;
  const seconds = `${trimFraction(rest / 1e9)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

function trimFraction(value: number): string {
  return Number(value.toFixed(9)).toString();
}
