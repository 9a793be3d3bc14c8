import type { ErrorSchema } from '@rjsf/utils';

import type { ApiFieldError } from '@/lib/api-client';

/** Spec limits a measurement widget receives in `ui:options`. */
export type SpecLimits = {
  lsl?: number;
  warn_low?: number;
  target?: number;
  warn_high?: number;
  usl?: number;
};

export type SpecVerdict = 'pass' | 'warn' | 'fail';

/**
 * The same verdict the server gives (form_engine.fields.measurement): fail outside [LSL, USL],
 * warn inside the spec but outside [warn_low, warn_high], pass otherwise; undefined without limits
 * or without a number.
 */
export function specVerdict(value: unknown, limits: SpecLimits): SpecVerdict | undefined {
  const number = typeof value === 'number' ? value : Number.parseFloat(String(value ?? ''));
  if (!Number.isFinite(number)) return undefined;
  const { lsl, warn_low: warnLow, warn_high: warnHigh, usl } = limits;
  if ([lsl, warnLow, warnHigh, usl].every((limit) => limit === undefined)) return undefined;
  if ((lsl !== undefined && number < lsl) || (usl !== undefined && number > usl)) return 'fail';
  if ((warnLow !== undefined && number < warnLow) || (warnHigh !== undefined && number > warnHigh)) {
    return 'warn';
  }
  return 'pass';
}

type ErrorNode = { __errors?: string[]; [key: string]: unknown };

/**
 * The server's problems under `payload.…` as an rjsf error schema, so each message appears on its
 * exact field (inside repeating groups too); everything else (subject, station, step, signatures)
 * is returned separately for the form-level alert.
 */
export function toErrorSchema(errors: readonly ApiFieldError[]): {
  schema: ErrorSchema;
  other: ApiFieldError[];
} {
  const root: ErrorNode = {};
  const other: ApiFieldError[] = [];
  for (const error of errors) {
    const [head, ...rest] = error.path;
    if (head !== 'payload' || rest.length === 0) {
      other.push(error);
      continue;
    }
    let node = root;
    for (const part of rest) {
      const key = String(part);
      node[key] ??= {};
      node = node[key] as ErrorNode;
    }
    (node.__errors ??= []).push(error.message);
  }
  return { schema: root as ErrorSchema, other };
}

/** The language's text from a `{en, zh-CN}` label (or a plain string). */
export function localize(label: Record<string, string> | string | undefined, language: string): string {
  if (label === undefined) return '';
  if (typeof label === 'string') return label;
  return label[language] ?? label.en ?? Object.values(label)[0] ?? '';
}

/**
 * Whether every required field has a value (top level and inside group items), so that a node
 * configured for it can submit by itself after the last scan.
 */
export function isComplete(schema: Record<string, unknown>, data: unknown): boolean {
  if (schema.type === 'object') {
    const value = (data ?? {}) as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    const required = (schema.required ?? []) as string[];
    if (required.some((key) => value[key] === undefined || value[key] === '' || value[key] === null)) {
      return false;
    }
    return Object.entries(properties).every(([key, child]) =>
      value[key] === undefined
        ? !(child.type === 'array' && typeof child.minItems === 'number' && child.minItems > 0)
        : isComplete(child, value[key]),
    );
  }
  if (schema.type === 'array') {
    const items = Array.isArray(data) ? data : [];
    const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
    const child = (schema.items ?? {}) as Record<string, unknown>;
    return items.length >= min && items.every((item) => isComplete(child, item));
  }
  return true;
}

/** A fresh idempotency key for one submission (kept across its retries). */
export function newIdempotencyKey(): string {
  return `station-${crypto.randomUUID()}`;
}

/** Now as ISO 8601 with this device's zone offset, as the server expects for `event_time`. */
export function localTimestamp(date = new Date()): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 19);
  return `${local}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}
