// Parse and print durations the way Go's time package does, since kuma-dp reads them back with it.
const unitNanos: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export function parseGoDuration(text: string): number {
  if (text === '0') return 0;
  const parts = text.match(/([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/g);
  if (!parts || parts.join('') !== text) throw new Error(`time: invalid duration "${text}"`);
  let nanos = 0;
  for (const part of parts) {
    const [, amount, unit] = /([0-9]*\.?[0-9]+)(.+)/.exec(part)!;
    nanos += Number(amount) * unitNanos[unit];
  }
  return Math.round(nanos);
}

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
