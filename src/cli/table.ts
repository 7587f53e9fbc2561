/** Plain-text tables in kumactl's style: upper-case headers, columns padded with spaces. */

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** Durations like kumactl prints them: `5s`, `3m`, `2h`, `4d`, or `never`. */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return 'never';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function formatTags(tagSets: Record<string, string>[]): string {
  const pairs = new Set<string>();
  for (const tags of tagSets) for (const [k, v] of Object.entries(tags)) pairs.add(`${k}=${v}`);
  return [...pairs].sort().join(' ');
}
