/** A timestamp in the reader's language, to the second. */
export function formatDateTime(iso: string | null | undefined, language: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

export function formatNumber(value: number | null | undefined, language: string): string {
  if (value === null || value === undefined) return '';
  return new Intl.NumberFormat(language, { maximumFractionDigits: 6 }).format(value);
}

/** A quantity with its unit, e.g. `984 ea`. */
export function formatQuantity(value: number | null | undefined, uom: string | null | undefined, language: string) {
  const number = formatNumber(value, language);
  return number && uom ? `${number} ${uom}` : number;
}

/**
 * The value of an `<input type="datetime-local">` (local wall time, no zone) as ISO 8601 with the
 * zone, as the API requires (`since`/`until` are aware date-times). Empty stays undefined.
 */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
