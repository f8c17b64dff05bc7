/** @module How numbers and dates read in the portal. */

/** 0.9123 → "91.2%". */
export function percent(value: number | undefined | null, digits = 1): string {
  return value === undefined || value === null || Number.isNaN(value) ? '–' : `${(value * 100).toFixed(digits)}%`;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
