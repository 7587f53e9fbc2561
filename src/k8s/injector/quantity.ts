// Just enough of Kubernetes resource quantities to tell zero apart and read CPU millicores.
const suffixFactor: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function quantityValue(quantity: string | number | undefined): number {
  if (quantity === undefined || quantity === '') return 0;
  if (typeof quantity === 'number') return quantity;
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(quantity.trim());
  const factor = match ? suffixFactor[match[2]] : undefined;
  if (!match || factor === undefined) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  return Number(match[1]) * factor;
}

export function isZeroQuantity(quantity: string | number | undefined): boolean {
  return quantityValue(quantity) === 0;
}

export function milliValue(quantity: string | number | undefined): number {
  return Math.ceil(Math.round(quantityValue(quantity) * 1e6) / 1e3);
}

// Kubernetes prints quantities back as strings; bare YAML numbers are rendered the same way.
export function quantityText(quantity: string | number | undefined): string {
  return String(quantity ?? '0');
}
