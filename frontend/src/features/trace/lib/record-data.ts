import type { FormLabels, LocalText } from '@/features/trace/types/trace';

/** One captured value of a record, ready to show: measurements with their spec and verdict. */
export type RecordValue = {
  key: string;
  text: string;
  /** For measurements: `pass`, `warning` or `fail` as the server judged it. */
  result?: string | undefined;
  spec?: string | undefined;
};

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMeasurement(value: Record<string, Json>): boolean {
  return 'value' in value && ('result' in value || 'unit' in value || 'usl' in value || 'lsl' in value);
}

function isScan(value: Record<string, Json>): boolean {
  return 'raw' in value && ('code' in value || 'format' in value);
}

function plain(value: Json): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(plain).filter(Boolean).join('; ');
  if (isObject(value)) {
    if (isScan(value)) return String(value.code ?? value.raw ?? '');
    if (isMeasurement(value)) return [plain(value.value), plain(value.unit)].filter(Boolean).join(' ');
    return Object.entries(value)
      .map(([key, inner]) => `${key}: ${plain(inner)}`)
      .join(', ');
  }
  return '';
}

function specText(value: Record<string, Json>): string | undefined {
  const lsl = typeof value.lsl === 'number' ? value.lsl : undefined;
  const usl = typeof value.usl === 'number' ? value.usl : undefined;
  if (lsl === undefined && usl === undefined) return undefined;
  const unit = typeof value.unit === 'string' ? ` ${value.unit}` : '';
  if (lsl !== undefined && usl !== undefined) return `${lsl}–${usl}${unit}`;
  return lsl !== undefined ? `≥ ${lsl}${unit}` : `≤ ${usl}${unit}`;
}

/** Scans and groups of scans: the event already shows them (inputs, equipment, pallet, customer). */
function isScanned(value: Json): boolean {
  if (isObject(value)) return isScan(value);
  return Array.isArray(value) && value.some((entry) => isObject(entry) && Object.values(entry).some(isScanned));
}

/**
 * The values a record captured (its validated `data`), one line per field: measurements with unit,
 * spec limits and verdict, notes and numbers as they are. Scanned identifiers are left out (the
 * event lists them) unless `withScans`: then scans show by their code, groups as `lot: X, qty: 4`.
 */
export function describeRecordData(
  data: Record<string, Json> | null | undefined,
  { withScans = false }: { withScans?: boolean } = {},
): RecordValue[] {
  if (!data) return [];
  return Object.entries(data)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .filter(([, value]) => withScans || !isScanned(value))
    .map(([key, value]) => {
      if (isObject(value) && isMeasurement(value)) {
        return {
          key,
          text: plain(value),
          result: typeof value.result === 'string' ? value.result : undefined,
          spec: specText(value),
        };
      }
      return { key, text: plain(value) };
    });
}

/**
 * The form's names for a record's values, in `language`: each value's field label (`label`), a
 * choice shown by its label, a group's entries with their fields' labels. Where the form names
 * nothing (an older record, a computed value) the key or value itself shows.
 */
export function nameRecordValues(
  values: RecordValue[],
  data: Record<string, Json> | null | undefined,
  labels: FormLabels | null | undefined,
  language: string,
): (RecordValue & { label: string })[] {
  const pick = (text: LocalText | undefined) => (text ? (language === 'zh-CN' ? text['zh-CN'] : text.en) : undefined);
  return values.map((value) => {
    const raw = data?.[value.key];
    const options = labels?.options[value.key];
    let text = value.text;
    if (options && typeof raw === 'string') {
      text = pick(options[raw]) ?? text;
    } else if (options && Array.isArray(raw) && raw.every((entry) => typeof entry === 'string')) {
      text = raw.map((entry) => pick(options[entry as string]) ?? String(entry)).join('; ');
    } else if (Array.isArray(raw) && raw.length > 0 && raw.every(isObject)) {
      const named = (inner: string, innerValue: Json) => {
        const path = `${value.key}.${inner}`;
        const choice = typeof innerValue === 'string' ? pick(labels?.options[path]?.[innerValue]) : undefined;
        return `${pick(labels?.fields[path]) ?? inner}: ${choice ?? plain(innerValue)}`;
      };
      text = raw
        .map((entry) =>
          Object.entries(entry as Record<string, Json>)
            .map(([inner, innerValue]) => named(inner, innerValue))
            .join(', '),
        )
        .join('; ');
    }
    return { ...value, text, label: pick(labels?.fields[value.key]) ?? value.key };
  });
}
